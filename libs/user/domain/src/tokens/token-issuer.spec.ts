import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSigningKey, type SigningKey } from './signing-key.js';
import { TokenIssuer } from './token-issuer.js';
import { writeJwks } from './write-jwks.js';

describe('TokenIssuer', () => {
  let dir: string;
  let key: SigningKey;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'token-issuer-'));
    ({ key } = await loadSigningKey({ file: join(dir, 'key.json'), create: true }));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('issues tokens that verify against the published key set', async () => {
    const jwksFile = join(dir, 'public', 'jwks.json');
    await writeJwks(jwksFile, [key]);
    expect((await stat(jwksFile)).mode & 0o777).toBe(0o644);
    expect(await readFile(jwksFile, 'utf8')).not.toContain('"d"');

    const now = 1_800_000_000_000;
    const issuer = new TokenIssuer({
      key,
      issuer: 'user.platform',
      audience: 'platform',
      ttlMs: 900_000,
      clock: () => now,
    });
    const { token, expiresAt } = await issuer.issue({ subject: 'user-1', roles: ['admin'] });
    expect(expiresAt).toBe(now + 900_000);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' });
    expect(decodeJwt(token)).toMatchObject({
      iss: 'user.platform',
      aud: 'platform',
      sub: 'user-1',
      roles: ['admin'],
      iat: now / 1000,
      nbf: now / 1000,
      exp: now / 1000 + 900,
      jti: expect.any(String),
    });

    // The services verify with @platform/grpc's JwtVerifier (apps/user-service's token spec holds
    // the two together); here the standard check against the published set.
    const keySet = createLocalJWKSet(JSON.parse(await readFile(jwksFile, 'utf8')) as JSONWebKeySet);
    await expect(
      jwtVerify(token, keySet, {
        issuer: 'user.platform',
        audience: 'platform',
        currentDate: new Date(now),
      }),
    ).resolves.toMatchObject({ payload: { sub: 'user-1', roles: ['admin'] } });
  });

  it('gives every token its own jti', async () => {
    const issuer = new TokenIssuer({ key, issuer: 'i', audience: 'a', ttlMs: 60_000 });
    const [first, second] = await Promise.all([
      issuer.issue({ subject: 's', roles: [] }),
      issuer.issue({ subject: 's', roles: [] }),
    ]);
    expect(decodeJwt(first.token).jti).not.toBe(decodeJwt(second.token).jti);
  });

  it('refuses a lifetime under a second', () => {
    expect(() => new TokenIssuer({ key, issuer: 'i', audience: 'a', ttlMs: 10 })).toThrow(RangeError);
  });
});
