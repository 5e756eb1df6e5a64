import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readOrCreateFile } from './read-or-create-file.js';

const root = mkdtempSync(join(tmpdir(), 'config-read-or-create-'));
let counter = 0;
/** A fresh directory per test, so tests never see each other's files. */
const freshDirectory = () => join(root, `case-${(counter += 1)}`);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('readOrCreateFile with no file yet', () => {
  it('creates the file and its parent directories, owner-only, and returns what it wrote', async () => {
    const directory = freshDirectory();
    const path = join(directory, 'keys', 'signing.json');
    const result = await readOrCreateFile(path, () => 'secret content');
    expect(result).toEqual({ content: Buffer.from('secret content'), created: true });
    expect(readFileSync(path, 'utf8')).toBe('secret content');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    expect(statSync(join(directory, 'keys')).mode & 0o777).toBe(0o700);
  });

  it('writes bytes from an async create, with the mode asked for', async () => {
    const path = join(freshDirectory(), 'public.bin');
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const result = await readOrCreateFile(path, async () => bytes, { mode: 0o644 });
    expect(result.created).toBe(true);
    expect([...readFileSync(path)]).toEqual([0, 1, 2, 255]);
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('leaves nothing behind when create throws', async () => {
    const directory = freshDirectory();
    const path = join(directory, 'key');
    await expect(
      readOrCreateFile(path, () => {
        throw new Error('no key for you');
      }),
    ).rejects.toThrow('no key for you');
    expect(() => statSync(directory)).toThrow(/ENOENT/);
  });

  it('gives two concurrent callers the same content, created by exactly one of them', async () => {
    const directory = freshDirectory();
    const path = join(directory, 'key');
    // Both callers must have seen the file missing before either writes: a barrier in create.
    let release!: () => void;
    const bothCreating = new Promise<void>((resolve) => (release = resolve));
    let creating = 0;
    const create = (content: string) => async () => {
      creating += 1;
      if (creating === 2) release();
      await bothCreating;
      return content;
    };
    const [first, second] = await Promise.all([
      readOrCreateFile(path, create('first')),
      readOrCreateFile(path, create('second')),
    ]);
    expect(creating).toBe(2);
    expect([first.created, second.created].filter(Boolean)).toHaveLength(1);
    expect(first.content.toString()).toBe(second.content.toString());
    expect(readFileSync(path, 'utf8')).toBe(first.content.toString());
    expect(readdirSync(directory)).toEqual(['key']); // no temporary files left
  });
});

describe('readOrCreateFile with an existing file', () => {
  it('returns its content without calling create', async () => {
    const directory = freshDirectory();
    const path = join(directory, 'key');
    await readOrCreateFile(path, () => 'original');
    const result = await readOrCreateFile(path, () => {
      throw new Error('create must not be called');
    });
    expect(result).toEqual({ content: Buffer.from('original'), created: false });
  });

  it.each([0o640, 0o604, 0o660, 0o610])(
    'refuses a file open to group or others (mode %o), saying how to fix it',
    async (mode) => {
      const directory = freshDirectory();
      const path = join(directory, 'key');
      await readOrCreateFile(path, () => 'secret content');
      chmodSync(path, mode);
      const failure = readOrCreateFile(path, () => 'other');
      await expect(failure).rejects.toThrow(path);
      await expect(failure).rejects.toThrow('chmod 600');
      await expect(failure).rejects.not.toThrow('secret content');
    },
  );

  it('accepts group and other bits the requested mode grants', async () => {
    const path = join(freshDirectory(), 'jwks.json');
    await readOrCreateFile(path, () => '{}', { mode: 0o644 });
    await expect(readOrCreateFile(path, () => '', { mode: 0o644 })).resolves.toMatchObject({
      created: false,
    });
  });

  it('refuses a directory in place of the file', async () => {
    const directory = freshDirectory();
    await readOrCreateFile(join(directory, 'inner', 'key'), () => 'x');
    await expect(readOrCreateFile(join(directory, 'inner'), () => 'x')).rejects.toThrow(
      'is not a regular file',
    );
  });
});

describe('readOrCreateFile arguments', () => {
  it('refuses an empty path and a mode beyond permission bits', async () => {
    await expect(readOrCreateFile('', () => 'x')).rejects.toThrow('needs a file path');
    const path = join(freshDirectory(), 'key');
    await expect(readOrCreateFile(path, () => 'x', { mode: 0o4755 })).rejects.toThrow('mode must be');
  });

  it('refuses a create that returns something other than text or bytes', async () => {
    const path = join(freshDirectory(), 'key');
    await expect(readOrCreateFile(path, () => 42 as unknown as string)).rejects.toThrow(
      'must return a string or bytes',
    );
  });
});
