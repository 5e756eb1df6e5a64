import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestKey, signToken, testAudience, testIssuer, type TestKey } from './__fixtures__/tokens.js';
import { JwtVerifier } from './jwt-verifier.js';

const base = { issuer: testIssuer, audience: testAudience };

async function reasonOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => {
      throw new Error('verification succeeded');
    },
    (caught: unknown) => caught,
  );
  return (error as { reason?: string }).reason;
}

let key: TestKey;
beforeAll(async () => {
  key = await createTestKey('k1');
});

describe('JwtVerifier configuration', () => {
  it.each([['none'], ['HS256'], ['HS512'], ['RSA-OAEP']])('refuses to be configured with %s', (alg) => {
    expect(() => new JwtVerifier({ ...base, jwks: { keys: [] }, algorithms: [alg] })).toThrow(
      /does not accept/,
    );
  });

  it('needs an issuer, an audience and at least one algorithm', () => {
    expect(() => new JwtVerifier({ ...base, issuer: [], jwks: { keys: [] } })).toThrow(/issuer/);
    expect(() => new JwtVerifier({ ...base, audience: [], jwks: { keys: [] } })).toThrow(/audience/);
    expect(() => new JwtVerifier({ ...base, jwks: { keys: [] }, algorithms: [] })).toThrow(/algorithm/);
  });

  it('refuses symmetric and private keys, keys without kid, and duplicate kids in a JWKS', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const { exportJWK } = await import('jose');
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'p' };
    expect(
      () => new JwtVerifier({ ...base, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 's' }] } }),
    ).toThrow(/symmetric/);
    expect(() => new JwtVerifier({ ...base, jwks: { keys: [privateJwk] } })).toThrow(/private/);
    expect(() => new JwtVerifier({ ...base, jwks: { keys: [{ ...key.publicJwk, kid: '' }] } })).toThrow(
      /kid/,
    );
    expect(() => new JwtVerifier({ ...base, jwks: { keys: [key.publicJwk, key.publicJwk] } })).toThrow(
      /two keys/,
    );
  });

  it('refuses a private key in a key list', async () => {
    const { privateKey } = await generateKeyPair('EdDSA');
    expect(() => new JwtVerifier({ ...base, keys: [{ kid: 'k', key: privateKey }] })).toThrow(/public/);
  });
});

describe('JwtVerifier keys and algorithms', () => {
  it('verifies with a CryptoKey or a KeyObject from a key list', async () => {
    const keyObject = createPublicKey(await exportSPKI(key.publicKey));
    const token = await signToken(key);
    await expect(
      new JwtVerifier({ ...base, keys: [{ kid: 'k1', key: key.publicKey }] }).verify(token),
    ).resolves.toMatchObject({ subject: 'user-1' });
    await expect(
      new JwtVerifier({ ...base, keys: [{ kid: 'k1', key: keyObject, alg: 'EdDSA' }] }).verify(token),
    ).resolves.toMatchObject({ subject: 'user-1' });
  });

  it('accepts ES256 by default, and rejects a token whose alg does not fit the key type', async () => {
    const ec = await generateKeyPair('ES256');
    const ecToken = await new SignJWT({ roles: ['user'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'ec' })
      .setSubject('u')
      .setIssuer(testIssuer)
      .setAudience(testAudience)
      .setExpirationTime('5m')
      .sign(ec.privateKey);
    await expect(
      new JwtVerifier({ ...base, keys: [{ kid: 'ec', key: ec.publicKey }] }).verify(ecToken),
    ).resolves.toMatchObject({
      subject: 'u',
    });
    // An ES256 token naming an Ed25519 key.
    const confused = await new SignJWT({ roles: ['user'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('u')
      .setIssuer(testIssuer)
      .setAudience(testAudience)
      .setExpirationTime('5m')
      .sign(ec.privateKey);
    expect(
      await reasonOf(
        new JwtVerifier({ ...base, keys: [{ kid: 'k1', key: key.publicKey }] }).verify(confused),
      ),
    ).toBe('TOKEN_ALGORITHM_REJECTED');
    expect(
      await reasonOf(new JwtVerifier({ ...base, jwks: { keys: [key.publicJwk] } }).verify(confused)),
    ).toBe('TOKEN_ALGORITHM_REJECTED');
  });

  it("rejects a token whose alg differs from the key's declared alg", async () => {
    const token = await signToken(key);
    const verifier = new JwtVerifier({
      ...base,
      algorithms: ['EdDSA', 'Ed25519'],
      jwks: { keys: [{ ...key.publicJwk, alg: 'Ed25519' }] },
    });
    expect(await reasonOf(verifier.verify(token))).toBe('TOKEN_ALGORITHM_REJECTED');
  });

  it('rejects algorithms outside the configured list even when the key fits', async () => {
    const token = await signToken(key);
    const verifier = new JwtVerifier({
      ...base,
      algorithms: ['ES256'],
      keys: [{ kid: 'k1', key: key.publicKey }],
    });
    expect(await reasonOf(verifier.verify(token))).toBe('TOKEN_ALGORITHM_REJECTED');
  });

  it('tolerates clock skew on exp within clockToleranceMs', async () => {
    const now = Date.now();
    const token = await signToken(key, { now, expiresAt: Math.floor(now / 1000) + 10 });
    const at = (ms: number, clockToleranceMs?: number) =>
      new JwtVerifier({ ...base, jwks: { keys: [key.publicJwk] }, clock: () => ms, clockToleranceMs }).verify(
        token,
      );
    await expect(at(now + 35_000)).resolves.toMatchObject({ subject: 'user-1' });
    expect(await reasonOf(at(now + 45_000))).toBe('TOKEN_EXPIRED');
    expect(await reasonOf(at(now + 15_000, 0))).toBe('TOKEN_EXPIRED');
  });

  it('requires sub and exp', async () => {
    const verifier = new JwtVerifier({ ...base, jwks: { keys: [key.publicJwk] } });
    const noSub = await new SignJWT({ roles: ['user'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(testIssuer)
      .setAudience(testAudience)
      .setExpirationTime('5m')
      .sign(key.privateKey);
    const noExp = await new SignJWT({ roles: ['user'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setSubject('u')
      .setIssuer(testIssuer)
      .setAudience(testAudience)
      .sign(key.privateKey);
    expect(await reasonOf(verifier.verify(noSub))).toBe('TOKEN_INVALID');
    expect(await reasonOf(verifier.verify(noExp))).toBe('TOKEN_INVALID');
  });
});
