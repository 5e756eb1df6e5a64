import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsDir } from '../__fixtures__/migrations.js';
import { MigrationError } from './migration-error.js';
import { readMigrationFiles } from './migration-file.js';

let dirs: ReturnType<typeof migrationsDir>[] = [];
afterEach(() => {
  for (const dir of dirs) dir.remove();
  dirs = [];
});

function dirWith(files: Record<string, string>) {
  const dir = migrationsDir(files);
  dirs.push(dir);
  return dir.dir;
}

describe('a migrations directory', () => {
  it('lists the .sql files by numeric version with sha256 checksums, ignoring other files', () => {
    const dir = dirWith({ '10_ten.sql': 'select 10;', '2_two.sql': 'select 2;', 'README.md': '# notes' });

    const files = readMigrationFiles(pathToFileURL(dir));

    expect(files.map(({ version, name, fileName }) => ({ version, name, fileName }))).toEqual([
      { version: 2, name: 'two', fileName: '2_two.sql' },
      { version: 10, name: 'ten', fileName: '10_ten.sql' },
    ]);
    expect(files[0]?.checksum).toBe(createHash('sha256').update('select 2;').digest('hex'));
  });

  it('rejects a .sql file without a version prefix, naming it', () => {
    const dir = dirWith({ 'create_users.sql': 'select 1;' });
    expect(() => readMigrationFiles(dir)).toThrow(
      `migration file create_users.sql in ${dir} is not named <version>_<name>.sql`,
    );
  });

  it('rejects two files with the same version', () => {
    const dir = dirWith({ '0001_a.sql': 'select 1;', '1_b.sql': 'select 2;' });
    expect(() => readMigrationFiles(dir)).toThrow(/have the same version 1/);
  });

  it('reports a directory that does not exist', () => {
    expect(() => readMigrationFiles('/nonexistent/migrations')).toThrow(MigrationError);
    expect(() => readMigrationFiles('/nonexistent/migrations')).toThrow(/cannot be read: ENOENT/);
  });
});
