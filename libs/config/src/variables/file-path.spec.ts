import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { filePath } from './file-path.js';

const dir = mkdtempSync(join(tmpdir(), 'config-file-path-'));
const keyFile = join(dir, 'key.pem');
writeFileSync(keyFile, 'key');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const schema = defineConfig({ KEY_FILE: filePath() });

describe('filePath', () => {
  it('returns the absolute path of an existing file, resolving relative paths', () => {
    expect(loadConfig(schema, { KEY_FILE: keyFile }).KEY_FILE).toBe(keyFile);
    expect(loadConfig(schema, { KEY_FILE: relative(process.cwd(), keyFile) }).KEY_FILE).toBe(keyFile);
  });

  it('rejects a missing file', () => {
    const missing = join(dir, 'missing.pem');
    expect(() => loadConfig(schema, { KEY_FILE: missing })).toThrow(
      `KEY_FILE: expected the path of a readable file, got ${JSON.stringify(missing)} (no such file)`,
    );
  });

  it('rejects a directory', () => {
    expect(() => loadConfig(schema, { KEY_FILE: dir })).toThrow('(not a regular file)');
  });

  it('accepts a path to a file yet to be created with mustExist: false', () => {
    const later = join(dir, 'later.db');
    expect(loadConfig(defineConfig({ OUT: filePath({ mustExist: false }) }), { OUT: later }).OUT).toBe(later);
  });
});
