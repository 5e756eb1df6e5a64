import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresTarget, preparePglite, type OpenedDatabase } from '../testing/index.js';
import { migrationsDir } from '../__fixtures__/migrations.js';
import { openDatabase } from '../open-database.js';
import { migrateExitCodes, runMigrateCommand } from './migrate-command.js';

beforeAll(() => preparePglite());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runMigrateCommand(argv, env, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A PGlite data directory holding an empty cluster (so the command does not wait for initdb). */
async function pgliteDataDir(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'db-cli-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const seed = await openDatabase({ dataDir, pglite: { loadDataDir: await preparePglite() } });
  await seed.close();
  return dataDir;
}

function migrations(files: Record<string, string>) {
  const dir = migrationsDir(files);
  cleanups.push(dir.remove);
  return dir.dir;
}

const createUsers = { '0001_create_users.sql': 'create table users (id text primary key);' };

describe('the migrate command on a PGlite data directory', () => {
  it('applies the pending files, printing each, then applies nothing on a second run', async () => {
    const dataDir = await pgliteDataDir();
    const dir = migrations({
      ...createUsers,
      '0002_add_email.sql': 'alter table users add column email text;',
    });

    const first = await run(['--dir', dir, '--data-dir', dataDir]);
    const second = await run(['--dir', dir], { DATABASE_DATA_DIR: dataDir });

    expect(first).toEqual({
      code: 0,
      out: 'applied 0001_create_users.sql\napplied 0002_add_email.sql\n2 migration(s) applied; schema at version 2',
      err: '',
    });
    expect(second).toEqual({ code: 0, out: '0 migration(s) applied; schema at version 2', err: '' });
  });

  it('exits 1 with the failing file and database error', async () => {
    const dataDir = await pgliteDataDir();
    const dir = migrations({ '0001_bad.sql': 'create table t (id int);\ninsert into missing values (1);' });

    const result = await run(['--dir', dir, '--data-dir', dataDir, '--table', 'app_migrations']);

    expect(result.code).toBe(migrateExitCodes.failed);
    expect(result.err).toBe(
      'migration 0001_bad.sql failed and was rolled back: relation "missing" does not exist (line 2)',
    );
  });
});

describe('the migrate command used wrongly', () => {
  it('prints the usage with --help', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^usage: migrate-cli --dir <migrations dir>/);
  });

  it('exits 64 without --dir', async () => {
    const result = await run([], { DATABASE_DATA_DIR: '/tmp/x' });
    expect(result.code).toBe(migrateExitCodes.usage);
    expect(result.err).toMatch(/^--dir is required/);
  });

  it('exits 64 on an unknown option', async () => {
    const result = await run(['--dir', 'x', '--force']);
    expect(result.code).toBe(64);
    expect(result.err).toMatch(/--force/);
  });

  it('exits 64 with neither DATABASE_URL nor a data directory', async () => {
    const result = await run(['--dir', 'x']);
    expect(result.code).toBe(64);
    expect(result.err).toMatch(/^set DATABASE_URL, or give a PGlite data directory/);
  });

  it('exits 78 on a DATABASE_URL that is not a postgres URL, without printing it', async () => {
    const result = await run(['--dir', 'x'], { DATABASE_URL: 'mysql://root:hunter2@db/app' });
    expect(result).toEqual({
      code: migrateExitCodes.config,
      out: '',
      err: 'DATABASE_URL: expected a postgres:// URL, got a URL with protocol "mysql:"',
    });
  });
});

describe.skipIf(postgresTarget.skip)('the migrate command on PostgreSQL', () => {
  let opened: OpenedDatabase | undefined;
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('migrates DATABASE_URL', async () => {
    opened = await postgresTarget.open();
    const dir = migrations(createUsers);

    const result = await run(['--dir', dir], { DATABASE_URL: opened.url });

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^applied 0001_create_users\.sql\n/);
    const tables = await opened.db.execute(sql`select to_regclass('users') is not null as present`);
    expect(tables.rows).toEqual([{ present: true }]);
  });
});
