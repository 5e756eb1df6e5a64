import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet } from 'jose';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Options of {@link createTestIssuer}. */
export interface TestIssuerOptions {
  /** `iss` of the tokens. Defaults to `user.platform`, the user service's. */
  issuer?: string;
  /** `aud` of the tokens. Defaults to `platform`. */
  audience?: string;
}

/** What a test token is for. */
export interface TestTokenClaims {
  subject: string;
  /** Defaults to `['user']`. */
  roles?: readonly string[];
  /** Lifetime, ms. Defaults to 10 minutes. */
  ttlMs?: number;
}

/** An Ed25519 key pair that signs access tokens the way the user service does, for services under test. */
export interface TestIssuer {
  readonly jwks: JSONWebKeySet;
  /** Writes the public key set where a service's JwtVerifier reads it (`AUTH_JWKS_FILE`). */
  writeJwks(file: string): Promise<void>;
  sign(claims: TestTokenClaims): Promise<string>;
}

/**
 * A token issuer for tests of services that verify tokens without a user service running:
 * tokens have the claims the platform's JwtVerifier requires (`kid`, `iss`, `aud`, `sub`,
 * `roles`, `exp`).
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const issuer = options.issuer ?? 'user.platform';
  const audience = options.audience ?? 'platform';
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const kid = `test-${crypto.randomUUID()}`;
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] };
  return {
    jwks,
    async writeJwks(file) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(jwks));
    },
    sign: (claims) => signWith(privateKey, kid, issuer, audience, claims),
  };
}

function signWith(
  privateKey: CryptoKey,
  kid: string,
  issuer: string,
  audience: string,
  claims: TestTokenClaims,
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: [...(claims.roles ?? ['user'])] })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(claims.subject)
    .setIssuedAt(now)
    .setExpirationTime(now + Math.ceil((claims.ttlMs ?? 600_000) / 1000))
    .sign(privateKey);
}
