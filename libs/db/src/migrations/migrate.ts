import type { Database, DatabaseSchema } from '../database.js';
import { driverOf, type SqlSession } from '../drivers/driver.js';
import { MigrationError } from './migration-error.js';
import { readMigrationFiles, type MigrationFile } from './migration-file.js';
import { withMigrationLock } from './migration-lock.js';
import { migrateDefaults, type MigrateOptions, type MigrateResult } from './migrate-options.js';

interface AppliedRow extends Record<string, unknown> {
  version: string | number;
  name: string;
  checksum: string;
}

function quoteTable(table: string): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(table)) {
    throw new MigrationError(
      `migration table name ${JSON.stringify(table)} is not a lower-case SQL identifier`,
    );
  }
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}

/** `syntax error at or near "TABLEE" (line 3)`: the database message, located in the file when it can be. */
function describeFailure(error: unknown, file: MigrationFile): string {
  const { message, position } = error as { message?: string; position?: string | number };
  const offset = Number(position);
  const line =
    Number.isInteger(offset) && offset > 0 ? file.sql.slice(0, offset - 1).split('\n').length : undefined;
  return `${message ?? String(error)}${line ? ` (line ${line})` : ''}`;
}

function checkAgainstApplied(
  files: readonly MigrationFile[],
  applied: ReadonlyMap<number, AppliedRow>,
): void {
  const newest = Math.max(-1, ...applied.keys());
  for (const file of files) {
    const record = applied.get(file.version);
    if (record && record.checksum !== file.checksum) {
      throw new MigrationError(
        `migration ${file.fileName} was changed after it was applied (checksum ${record.checksum.slice(0, 12)}… ` +
          `recorded, ${file.checksum.slice(0, 12)}… on disk): restore it and add a new migration instead`,
        { file: file.fileName },
      );
    }
    if (!record && file.version < newest) {
      throw new MigrationError(
        `migration ${file.fileName} was never applied, but the newer version ${newest} was: ` +
          `give it a version after ${newest}`,
        { file: file.fileName },
      );
    }
  }
}

async function applyFile(session: SqlSession, table: string, file: MigrationFile): Promise<void> {
  const startedAt = performance.now();
  try {
    await session.transaction(async (tx) => {
      await tx.exec(file.sql);
      await tx.query(`insert into ${table} (version, name, checksum, execution_ms) values ($1, $2, $3, $4)`, [
        file.version,
        file.name,
        file.checksum,
        Math.round(performance.now() - startedAt),
      ]);
    });
  } catch (error) {
    throw new MigrationError(
      `migration ${file.fileName} failed and was rolled back: ${describeFailure(error, file)}`,
      { file: file.fileName, cause: error },
    );
  }
}

/**
 * Applies the pending migrations of `dir`, each file in its own transaction, under a
 * PostgreSQL advisory lock keyed by the table name (so concurrent instances apply each file
 * exactly once). Records version, name, sha256 checksum, duration and time in `table`. Stops
 * with a {@link MigrationError} naming the file when one fails (it is rolled back) or when an
 * applied file was changed. Files must not contain transaction control statements.
 */
export async function migrate<Schema extends DatabaseSchema>(
  db: Database<Schema>,
  options: MigrateOptions,
): Promise<MigrateResult> {
  const driver = driverOf(db);
  const tableName = options.table ?? migrateDefaults.table;
  const table = quoteTable(tableName);
  const files = readMigrationFiles(options.dir);
  const lockTimeoutMs = options.lockTimeoutMs ?? migrateDefaults.lockTimeoutMs;

  return withMigrationLock(driver, tableName, lockTimeoutMs, async (session) => {
    await session.exec(
      `create table if not exists ${table} (
         version bigint primary key,
         name text not null,
         checksum text not null,
         execution_ms integer not null,
         applied_at timestamptz not null default now()
       )`,
    );
    const rows = await session.query<AppliedRow>(
      `select version, name, checksum from ${table} order by version`,
    );
    const applied = new Map(rows.map((row) => [Number(row.version), row]));
    checkAgainstApplied(files, applied);

    const appliedNow: string[] = [];
    for (const file of files.filter((candidate) => !applied.has(candidate.version))) {
      await applyFile(session, table, file);
      appliedNow.push(file.fileName);
    }
    const known = new Set(files.map((file) => file.version));
    const versions = [...applied.keys(), ...files.map((file) => file.version)];
    return {
      applied: appliedNow,
      version: versions.length > 0 ? Math.max(...versions) : undefined,
      unknownVersions: [...applied.keys()].filter((version) => !known.has(version)),
    };
  });
}
