// The token keys made for a Kubernetes install: what the user service signs with verifies
// against the public key set the other services get, found by the kid in the token's header.
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT } from 'jose';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from './chart-tools.mjs';

const dir = mkdtempSync(join(tmpdir(), 'platform-auth-keys-'));
const script = join(root, 'deploy', 'kubernetes', 'auth-keys.mjs');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('auth-keys.mjs', () => {
  it('writes a private key (0600) whose tokens verify with the public key set', async () => {
    const made = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    expect(made.status).toBe(0);
    const privateJwk = JSON.parse(readFileSync(join(dir, 'signing-key.json'), 'utf8'));
    const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8'));
    expect(statSync(join(dir, 'signing-key.json')).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(jwks)).not.toContain(privateJwk.d);
    const [publicJwk] = jwks.keys;
    expect(publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });

    const key = await importJWK(privateJwk, 'EdDSA');
    const token = await new SignJWT({ sub: 'u-1' })
      .setProtectedHeader({ alg: 'EdDSA', kid: publicJwk.kid, typ: 'JWT' })
      .setIssuer('user.platform')
      .setAudience('platform')
      .setExpirationTime('5m')
      .sign(key);
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: 'user.platform',
      audience: 'platform',
    });
    expect(payload.sub).toBe('u-1');
  });

  it('refuses to overwrite an existing key', () => {
    const again = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('exists');
  });
});
