// Keys and tokens for auth specs: an Ed25519 key pair generated per test run, and a token
// factory with the claims every valid token has.
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const testIssuer = 'https://auth.test.platform';
export const testAudience = 'test.platform';

export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK & { kid: string };
}

export async function createTestKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { kid, privateKey, publicKey, publicJwk };
}

export interface TokenOptions {
  subject?: string;
  roles?: readonly string[];
  /** Epoch seconds. Defaults to `now + 600`. */
  expiresAt?: number;
  notBefore?: number;
  issuer?: string;
  audience?: string;
  /** Epoch milliseconds of "now". Defaults to `Date.now()`. */
  now?: number;
  /** Header overrides (a different `kid`, none). */
  header?: { kid?: string | undefined };
  claims?: JWTPayload;
}

export function signToken(key: TestKey, options: TokenOptions = {}): Promise<string> {
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({ roles: [...(options.roles ?? ['user'])], ...options.claims })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: key.kid, ...options.header })
    .setSubject(options.subject ?? 'user-1')
    .setIssuer(options.issuer ?? testIssuer)
    .setAudience(options.audience ?? testAudience)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(options.expiresAt ?? nowSeconds + 600);
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(key.privateKey);
}

/** A compact JWS built by hand: for tokens no library would sign (`alg: none`). */
export function rawToken(header: object, payload: object, signature = ''): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}
