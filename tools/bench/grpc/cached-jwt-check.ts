import { createLocalJWKSet, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { benchAudience, benchIssuer } from './bench-token.js';

/**
 * The JWT check a team writes with jose for the peers: verify a bearer token (EdDSA, issuer,
 * audience, `sub` and `roles` present) once, then answer from a cache keyed by the raw token
 * until it expires, as the platform's JwtVerifier does. Resolves the payload or rejects.
 */
export function cachedJwtCheck(jwk: JWK): (authorization: string | undefined) => Promise<JWTPayload> {
  const keys = createLocalJWKSet({ keys: [jwk] });
  const cache = new Map<string, JWTPayload>();
  return async (authorization) => {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    if (!token) throw new Error('missing bearer token');
    const cached = cache.get(token);
    if (cached && (cached.exp ?? 0) * 1000 > Date.now()) return cached;
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ['EdDSA'],
      issuer: benchIssuer,
      audience: benchAudience,
      requiredClaims: ['sub', 'exp'],
    });
    if (!Array.isArray(payload['roles'])) throw new Error('token without roles');
    cache.set(token, payload);
    return payload;
  };
}
