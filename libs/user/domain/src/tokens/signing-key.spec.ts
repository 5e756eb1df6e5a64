import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSigningKey } from './signing-key.js';

describe('loadSigningKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signing-key-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('generates an Ed25519 key at first start into an owner-only file, and loads the same key after', async () => {
    const file = join(dir, 'keys', 'signing-key.json');
    const first = await loadSigningKey({ file, create: true });
    expect(first.created).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.key.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(first.key.publicJwk).not.toHaveProperty('d');
    expect(first.key.kid).toBe(first.key.publicJwk.kid);

    const second = await loadSigningKey({ file, create: true });
    expect(second.created).toBe(false);
    expect(second.key.kid).toBe(first.key.kid);
  });

  it('refuses a missing file when keys are provisioned, rather than generating one', async () => {
    await expect(loadSigningKey({ file: join(dir, 'missing.json'), create: false })).rejects.toThrow(
      /ENOENT|missing/,
    );
  });

  it.each([
    ['not JSON', 'not json', /is not JSON/],
    ['a public key', JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'abc' }), /not a private JWK/],
    [
      'a broken key',
      JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'abc', d: 'def', alg: 'EdDSA' }),
      /cannot sign EdDSA/,
    ],
  ])('names the file when it holds %s', async (_name, content, message) => {
    const file = join(dir, 'key.json');
    await writeFile(file, content, { mode: 0o600 });
    await expect(loadSigningKey({ file, create: false })).rejects.toThrow(message);
    await expect(loadSigningKey({ file, create: false })).rejects.toThrow(file);
  });

  it('never writes the private part anywhere but the key file', async () => {
    const file = join(dir, 'signing-key.json');
    const { key } = await loadSigningKey({ file, create: true });
    const stored = JSON.parse(await readFile(file, 'utf8')) as { d: string };
    expect(stored.d).toMatch(/^[\w-]{43}$/);
    expect(JSON.stringify(key.publicJwk)).not.toContain(stored.d);
  });
});
