import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PasswordHasher, type ScryptParameters } from './password-hasher.js';

// scrypt itself runs; the wrapper only counts calls and records their cost.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, scrypt: vi.fn(actual.scrypt) };
});

/** Fast parameters for tests (the smallest cost allowed). */
const fast: ScryptParameters = { cost: 1024, blockSize: 8, parallelization: 1 };
const phc = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

const scryptCalls = () => vi.mocked(crypto.scrypt).mock.calls;
const costOfCall = (index: number) => (scryptCalls()[index]?.[3] as crypto.ScryptOptions).N;

beforeEach(() => {
  vi.mocked(crypto.scrypt).mockClear();
});

describe('PasswordHasher', () => {
  describe('hash', () => {
    it('encodes the parameters, a 16-byte salt and a 32-byte key as a PHC string', async () => {
      const stored = await new PasswordHasher(fast).hash('correct horse battery staple');
      const [, logCost, blockSize, parallelization, salt, key] = phc.exec(stored) ?? [];
      expect([logCost, blockSize, parallelization]).toEqual(['10', '8', '1']);
      expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
      expect(Buffer.from(key ?? '', 'base64')).toHaveLength(32); // and no '=' padding: phc has none
    });

    it('salts every hash: the same password gives a different hash each time', async () => {
      const hasher = new PasswordHasher(fast);
      const [first, second] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
      expect(first).not.toBe(second);
    });

    it('works with the default parameters (N = 2^15, r = 8, p = 1)', async () => {
      const hasher = new PasswordHasher();
      const stored = await hasher.hash('correct horse battery staple');
      expect(stored).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
      await expect(hasher.verify('correct horse battery staple', stored)).resolves.toEqual({
        valid: true,
        needsRehash: false,
      });
    });
  });

  describe('verify', () => {
    it('accepts the password that was hashed and refuses any other', async () => {
      const hasher = new PasswordHasher(fast);
      const stored = await hasher.hash('correct horse battery staple');
      await expect(hasher.verify('correct horse battery staple', stored)).resolves.toEqual({
        valid: true,
        needsRehash: false,
      });
      await expect(hasher.verify('correct horse battery stapler', stored)).resolves.toEqual({
        valid: false,
        needsRehash: false,
      });
      await expect(hasher.verify('', stored)).resolves.toMatchObject({ valid: false });
    });

    it('accepts a password typed in another Unicode normalization form (NFD for NFC)', async () => {
      const hasher = new PasswordHasher(fast);
      const composed = 'caf\u00e9 cr\u00e8me br\u00fbl\u00e9e';
      const decomposed = composed.normalize('NFD');
      expect(decomposed).not.toBe(composed);
      const stored = await hasher.hash(composed);
      await expect(hasher.verify(decomposed, stored)).resolves.toMatchObject({ valid: true });
    });

    it('refuses an unknown account after deriving a key at the current cost, as for a real hash', async () => {
      const hasher = new PasswordHasher({ ...fast, cost: 2048 });
      await expect(hasher.verify('any password', undefined)).resolves.toEqual({
        valid: false,
        needsRehash: false,
      });
      await expect(hasher.verify('any password', undefined)).resolves.toEqual({
        valid: false,
        needsRehash: false,
      });
      expect(scryptCalls()).toHaveLength(2);
      expect([costOfCall(0), costOfCall(1)]).toEqual([2048, 2048]);
    });

    it.each([
      ['an empty string', ''],
      ['a plain text password', 'hunter2'],
      ['a bcrypt hash', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW'],
      ['a truncated key', '$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$dG9vc2hvcnQ'],
      ['a too small salt', `$scrypt$ln=10,r=8,p=1$c2FsdA$${'A'.repeat(43)}`],
      [
        'parameters beyond the memory bound',
        `$scrypt$ln=30,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$${'A'.repeat(43)}`,
      ],
      ['a cost below the minimum', `$scrypt$ln=4,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$${'A'.repeat(43)}`],
    ])('refuses %s as a stored hash, deriving against the dummy hash instead', async (_, stored) => {
      const hasher = new PasswordHasher(fast);
      await expect(hasher.verify('hunter2', stored)).resolves.toEqual({ valid: false, needsRehash: false });
      expect(scryptCalls()).toHaveLength(1);
      expect(costOfCall(0)).toBe(1024);
    });

    it('asks for a rehash when a valid hash was made with other parameters, verifying with its own', async () => {
      const stored = await new PasswordHasher(fast).hash('correct horse battery staple');
      const upgraded = new PasswordHasher({ ...fast, cost: 2048 });
      vi.mocked(crypto.scrypt).mockClear();
      await expect(upgraded.verify('correct horse battery staple', stored)).resolves.toEqual({
        valid: true,
        needsRehash: true,
      });
      expect(costOfCall(0)).toBe(1024);
      const rehashed = await upgraded.hash('correct horse battery staple');
      expect(rehashed).toMatch(/^\$scrypt\$ln=11,r=8,p=1\$/);
      await expect(upgraded.verify('correct horse battery staple', rehashed)).resolves.toEqual({
        valid: true,
        needsRehash: false,
      });
    });

    it('never asks for a rehash when the password is wrong', async () => {
      const stored = await new PasswordHasher(fast).hash('correct horse battery staple');
      const upgraded = new PasswordHasher({ ...fast, parallelization: 2 });
      await expect(upgraded.verify('wrong password', stored)).resolves.toEqual({
        valid: false,
        needsRehash: false,
      });
    });
  });

  describe('constructor', () => {
    it.each([
      [{ ...fast, cost: 1000 }, /scrypt cost N must be a power of two of at least 1024 .*got 1000/],
      [{ ...fast, cost: 512 }, /power of two of at least 1024/],
      [{ ...fast, cost: 0 }, /power of two/],
      [{ ...fast, cost: Number.NaN }, /power of two/],
      [{ ...fast, blockSize: 0 }, /block size r must be an integer of at least 1, got 0/],
      [{ ...fast, blockSize: 1.5 }, /block size r/],
      [{ ...fast, parallelization: 0 }, /parallelization p must be an integer from 1 to 16, got 0/],
      [{ ...fast, parallelization: 17 }, /parallelization p/],
      [
        { cost: 2 ** 19, blockSize: 8, parallelization: 1 },
        /at most 256 MiB: N = 524288 with r = 8 would take 512 MiB/,
      ],
    ])('refuses %o with a message saying what is expected', (parameters, message) => {
      expect(() => new PasswordHasher(parameters)).toThrow(message);
    });

    it('accepts parameters up to the memory bound of 256 MiB', () => {
      expect(() => new PasswordHasher({ cost: 2 ** 18, blockSize: 8, parallelization: 1 })).not.toThrow();
      expect(() => new PasswordHasher({ cost: 1024, blockSize: 2048, parallelization: 16 })).not.toThrow();
    });

    it("sizes scrypt's memory limit to the parameters, other block sizes and parallelization included", async () => {
      const hasher = new PasswordHasher({ cost: 4096, blockSize: 16, parallelization: 3 });
      const stored = await hasher.hash('correct horse battery staple');
      expect(stored).toMatch(/^\$scrypt\$ln=12,r=16,p=3\$/);
      await expect(hasher.verify('correct horse battery staple', stored)).resolves.toMatchObject({
        valid: true,
      });
    });

    it('defaults to N = 32768, r = 8, p = 1', () => {
      expect(PasswordHasher.defaultParameters).toEqual({ cost: 32_768, blockSize: 8, parallelization: 1 });
    });
  });
});
