import { createLocalJWKSet, jwtVerify } from 'jose';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestIssuer } from './create-test-issuer.js';

describe('createTestIssuer', () => {
  it('signs tokens that verify against the key set it writes, with the platform claims', async () => {
    const issuer = await createTestIssuer();
    const dir = await mkdtemp(join(tmpdir(), 'test-issuer-'));
    try {
      await issuer.writeJwks(join(dir, 'keys', 'jwks.json'));
      const jwks = JSON.parse(await readFile(join(dir, 'keys', 'jwks.json'), 'utf8'));
      const token = await issuer.sign({ subject: 'user-1', roles: ['admin'], ttlMs: 60_000 });
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
        issuer: 'user.platform',
        audience: 'platform',
      });
      expect(payload).toMatchObject({ sub: 'user-1', roles: ['admin'] });
      expect(Number(payload.exp) - Number(payload.iat)).toBe(60);
      expect(protectedHeader.kid).toBe(issuer.jwks.keys[0]?.kid);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
