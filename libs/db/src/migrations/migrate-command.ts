import { parseArgs } from 'node:util';
import { openDatabase } from '../open-database.js';
import { migrate } from './migrate.js';
import { MigrationError } from './migration-error.js';

/** Where the command writes; the CLI passes stdout and stderr. */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

const usage = `usage: migrate-cli --dir <migrations dir> [--table <name>] [--data-dir <PGlite dir>]

Applies the pending migrations to DATABASE_URL (PostgreSQL) or, without it, to the PGlite data
directory given by --data-dir or DATABASE_DATA_DIR.`;

/** `DATABASE_URL` when it is a postgres:// URL; the reason otherwise (never the value: it holds a password). */
function readDatabaseUrl(env: NodeJS.ProcessEnv): { url?: string; problem?: string } {
  const value = env['DATABASE_URL']?.trim();
  if (!value) return {};
  try {
    const { protocol } = new URL(value);
    if (protocol === 'postgres:' || protocol === 'postgresql:') return { url: value };
    return { problem: `DATABASE_URL: expected a postgres:// URL, got a URL with protocol "${protocol}"` };
  } catch {
    return { problem: 'DATABASE_URL: expected a postgres:// URL, got a value that is not a URL' };
  }
}

/** Exit codes, from sysexits.h where one fits. */
export const migrateExitCodes = { ok: 0, failed: 1, usage: 64, config: 78 } as const;

/** The `migrate-cli` command: parses arguments and environment, migrates, returns the exit code. */
export async function runMigrateCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  output: CommandOutput,
): Promise<number> {
  let args: { dir?: string; table?: string; 'data-dir'?: string; help?: boolean };
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        dir: { type: 'string' },
        table: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    output.err(`${(error as Error).message}\n${usage}`);
    return migrateExitCodes.usage;
  }
  if (args.help) {
    output.out(usage);
    return migrateExitCodes.ok;
  }
  if (!args.dir) {
    output.err(`--dir is required\n${usage}`);
    return migrateExitCodes.usage;
  }
  const database = readDatabaseUrl(env);
  if (database.problem) {
    output.err(database.problem);
    return migrateExitCodes.config;
  }
  const dataDir = args['data-dir'] ?? (env['DATABASE_DATA_DIR']?.trim() || undefined);
  if (!database.url && !dataDir) {
    output.err(`set DATABASE_URL, or give a PGlite data directory\n${usage}`);
    return migrateExitCodes.usage;
  }

  const db = await openDatabase(database.url ? { url: database.url } : { dataDir });
  try {
    const result = await migrate(db, { dir: args.dir, table: args.table });
    for (const file of result.applied) output.out(`applied ${file}`);
    output.out(
      `${result.applied.length} migration(s) applied; schema at version ${result.version ?? 'none'}` +
        (result.unknownVersions.length > 0
          ? `; versions without a file: ${result.unknownVersions.join(', ')}`
          : ''),
    );
    return migrateExitCodes.ok;
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    output.err(error.message);
    return migrateExitCodes.failed;
  } finally {
    await db.close();
  }
}
