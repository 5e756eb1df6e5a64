import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary migrations directory; `write` adds or replaces a file, `remove` deletes the directory. */
export function migrationsDir(files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'db-migrations-'));
  const write = (name: string, sql: string) => writeFileSync(join(dir, name), sql);
  for (const [name, sql] of Object.entries(files)) write(name, sql);
  return { dir, write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
