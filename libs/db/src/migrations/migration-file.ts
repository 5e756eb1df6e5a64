import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationError } from './migration-error.js';

/** One versioned SQL file: `0001_create_users.sql`. */
export interface MigrationFile {
  readonly version: number;
  /** `create_users` */
  readonly name: string;
  /** `0001_create_users.sql` */
  readonly fileName: string;
  readonly sql: string;
  /** sha256 of the file's bytes, hex. */
  readonly checksum: string;
}

const fileNamePattern = /^(\d+)_([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/;

/** The `.sql` files of `dir`, sorted by version. Other files (a README) are ignored. */
export function readMigrationFiles(dir: string | URL): MigrationFile[] {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  let names: string[];
  try {
    names = readdirSync(path).filter((name) => name.endsWith('.sql'));
  } catch (error) {
    throw new MigrationError(`migrations directory ${path} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const files = names.map((fileName): MigrationFile => {
    const match = fileNamePattern.exec(fileName);
    if (!match) {
      throw new MigrationError(`migration file ${fileName} in ${path} is not named <version>_<name>.sql`, {
        file: fileName,
      });
    }
    const bytes = readFileSync(join(path, fileName));
    return {
      version: Number(match[1]),
      name: match[2] ?? '',
      fileName,
      sql: bytes.toString('utf8'),
      checksum: createHash('sha256').update(bytes).digest('hex'),
    };
  });
  files.sort((a, b) => a.version - b.version);
  for (let index = 1; index < files.length; index++) {
    const [previous, current] = [files[index - 1], files[index]];
    if (previous && current && previous.version === current.version) {
      throw new MigrationError(
        `migrations ${previous.fileName} and ${current.fileName} have the same version ${current.version}`,
        { file: current.fileName },
      );
    }
  }
  return files;
}
