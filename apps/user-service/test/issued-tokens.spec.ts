import { JwtVerifier } from '@platform/grpc';
import { loadSigningKey, TokenIssuer, writeJwks } from '@platform/user-domain';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// The user service issues tokens (user-domain) that every service verifies (@platform/grpc's
// JwtVerifier) from the published key set: the two halves held together.
describe('tokens the user service issues', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'issued-tokens-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('are accepted by the platform verifier from the published key set, with subject, kind and roles', async () => {
    const { key } = await loadSigningKey({ file: join(dir, 'key.json'), create: true });
    const jwksFile = join(dir, 'public', 'jwks.json');
    await writeJwks(jwksFile, [key]);
    const now = 1_800_000_000_000;
    const issuer = new TokenIssuer({
      key,
      issuer: 'user.platform',
      audience: 'platform',
      ttlMs: 900_000,
      clock: () => now,
    });
    const { token } = await issuer.issue({ subject: 'user-1', roles: ['admin'] });

    const verifier = new JwtVerifier({
      jwksFile,
      issuer: 'user.platform',
      audience: 'platform',
      clock: () => now,
    });
    await expect(verifier.verify(token)).resolves.toMatchObject({
      subject: 'user-1',
      kind: 'user',
      roles: ['admin'],
    });
  });
});
