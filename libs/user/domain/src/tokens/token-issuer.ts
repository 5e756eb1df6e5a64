import { SignJWT } from 'jose';
import type { SigningKey } from './signing-key.js';

/** Options of {@link TokenIssuer}. */
export interface TokenIssuerOptions {
  key: SigningKey;
  /** `iss` of every token. */
  issuer: string;
  /** `aud` of every token: the platform's services accept it. */
  audience: string;
  /** Lifetime of a token, milliseconds. */
  ttlMs: number;
  /** Current time, epoch milliseconds; for tests. Defaults to `Date.now`. */
  clock?: () => number;
}

/** What a token is issued for. */
export interface TokenClaims {
  /** A user id, or a service's client id. */
  subject: string;
  /** `user`, `admin`, `service`: what libs/grpc's JwtVerifier turns into the principal's roles. */
  roles: readonly string[];
}

/**
 * Signs short-lived access tokens: a compact JWS with `kid` in the header and `iss`, `aud`,
 * `sub`, `roles`, `iat`, `nbf`, `exp` and a unique `jti` in the claims, the shape libs/grpc's
 * JwtVerifier requires.
 */
export class TokenIssuer {
  private readonly clock: () => number;

  constructor(private readonly options: TokenIssuerOptions) {
    if (!(options.ttlMs >= 1_000))
      throw new RangeError(`TokenIssuer: ttlMs must be at least 1000, got ${options.ttlMs}`);
    this.clock = options.clock ?? Date.now;
  }

  /** A signed token and its expiry (epoch milliseconds, whole seconds as in `exp`). */
  async issue(claims: TokenClaims): Promise<{ token: string; expiresAt: number }> {
    const { key, issuer, audience, ttlMs } = this.options;
    const now = Math.floor(this.clock() / 1000);
    const exp = now + Math.floor(ttlMs / 1000);
    const token = await new SignJWT({ roles: [...claims.roles] })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(claims.subject)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(crypto.randomUUID())
      .sign(key.privateKey);
    return { token, expiresAt: exp * 1000 };
  }
}
