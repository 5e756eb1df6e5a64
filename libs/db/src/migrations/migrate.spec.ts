import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, preparePglite, type OpenedDatabase } from '../testing/index.js';
import { migrationsDir } from '../__fixtures__/migrations.js';
import type { Database } from '../database.js';
import { openDatabase } from '../open-database.js';
import { migrate } from './migrate.js';
import { MigrationError } from './migration-error.js';

beforeAll(() => preparePglite());

const createUsers = 'create table users (id text primary key, email text not null);';
const addName =
  "alter table users add column name text not null default '';\ncreate index users_email on users (email);";

async function tableNames(db: Database): Promise<string[]> {
  const result = await db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  );
  return result.rows.map((row) => row.table_name);
}

async function recorded(db: Database, table = 'schema_migrations') {
  const result = await db.execute<{ version: string | number; name: string; checksum: string }>(
    sql.raw(`select version, name, checksum from ${table} order by version`),
  );
  return result.rows.map((row) => ({ ...row, version: Number(row.version) }));
}

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`migrate on ${target.name}`, () => {
    let opened: OpenedDatabase | undefined;
    let dirs: ReturnType<typeof migrationsDir>[] = [];

    afterEach(async () => {
      await opened?.dispose();
      for (const dir of dirs) dir.remove();
      opened = undefined;
      dirs = [];
    });

    async function setUp(files: Record<string, string>) {
      opened = await target.open();
      const dir = migrationsDir(files);
      dirs.push(dir);
      return { db: opened.db, openAnother: opened.openAnother, ...dir };
    }

    describe('pending migrations', () => {
      it('are applied in version order and recorded with their checksum', async () => {
        const { db, dir } = await setUp({
          '0002_add_name.sql': addName,
          '0001_create_users.sql': createUsers,
        });

        const result = await migrate(db, { dir });

        expect(result).toEqual({
          applied: ['0001_create_users.sql', '0002_add_name.sql'],
          version: 2,
          unknownVersions: [],
        });
        expect(await tableNames(db)).toEqual(['schema_migrations', 'users']);
        const records = await recorded(db);
        expect(records.map(({ version, name }) => ({ version, name }))).toEqual([
          { version: 1, name: 'create_users' },
          { version: 2, name: 'add_name' },
        ]);
        expect(records[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
      });

      it('apply only the new file on a later run', async () => {
        const { db, dir, write } = await setUp({ '0001_create_users.sql': createUsers });
        await migrate(db, { dir });
        write('0002_add_name.sql', addName);

        expect((await migrate(db, { dir })).applied).toEqual(['0002_add_name.sql']);
      });
    });

    describe('a second run with nothing new', () => {
      it('applies nothing and changes nothing', async () => {
        const { db, dir } = await setUp({
          '0001_create_users.sql': createUsers,
          '0002_add_name.sql': addName,
        });
        await migrate(db, { dir });
        const before = await recorded(db);

        expect(await migrate(db, { dir })).toEqual({ applied: [], version: 2, unknownVersions: [] });
        expect(await recorded(db)).toEqual(before);
      });
    });

    describe('two runners starting together', () => {
      it('apply each file exactly once', async () => {
        const files: Record<string, string> = {};
        for (let version = 1; version <= 5; version++) {
          files[`000${version}_step_${version}.sql`] = `create table step_${version} (id int primary key);`;
        }
        const { db, dir, openAnother } = await setUp(files);
        const other = await openAnother();

        const results = await Promise.all([
          migrate(db, { dir }),
          migrate(other, { dir }),
          migrate(db, { dir }),
        ]);

        const appliedFiles = results.flatMap((result) => result.applied).sort();
        expect(appliedFiles).toEqual(Object.keys(files).sort());
        expect(results.map((result) => result.version)).toEqual([5, 5, 5]);
        expect((await recorded(db)).map((record) => record.version)).toEqual([1, 2, 3, 4, 5]);
      });
    });

    describe('an applied file that was changed', () => {
      it('stops with a MigrationError naming the file, applying nothing', async () => {
        const { db, dir, write } = await setUp({ '0001_create_users.sql': createUsers });
        await migrate(db, { dir });
        write('0001_create_users.sql', `${createUsers}\n-- edited`);
        write('0002_add_name.sql', addName);

        const failure = await migrate(db, { dir }).catch((error: unknown) => error);

        expect(failure).toBeInstanceOf(MigrationError);
        expect((failure as MigrationError).file).toBe('0001_create_users.sql');
        expect((failure as MigrationError).message).toMatch(
          /^migration 0001_create_users\.sql was changed after it was applied/,
        );
        expect((await recorded(db)).map((record) => record.version)).toEqual([1]);
      });
    });

    describe('a failing migration', () => {
      it('is rolled back entirely and reported with the file name, line and database error', async () => {
        const { db, dir } = await setUp({
          '0001_create_users.sql': createUsers,
          '0002_broken.sql':
            'create table audit (id int primary key);\ninsert into audit values (1);\nselect * from no_such_table;',
          '0003_after.sql': 'create table later (id int);',
        });

        const failure = await migrate(db, { dir }).catch((error: unknown) => error);

        expect(failure).toBeInstanceOf(MigrationError);
        expect((failure as MigrationError).file).toBe('0002_broken.sql');
        expect((failure as MigrationError).message).toBe(
          'migration 0002_broken.sql failed and was rolled back: relation "no_such_table" does not exist (line 3)',
        );
        expect((failure as MigrationError).cause).toBeDefined();
        // 0001 stays applied; 0002's table is gone with its rollback; 0003 never ran.
        expect(await tableNames(db)).toEqual(['schema_migrations', 'users']);
        expect((await recorded(db)).map((record) => record.version)).toEqual([1]);
      });

      it('leaves the database usable and the lock free for the next run', async () => {
        const { db, dir, write } = await setUp({ '0001_broken.sql': 'create tablee users (id int);' });
        await expect(migrate(db, { dir })).rejects.toThrow(/0001_broken\.sql failed.*syntax error/);

        write('0001_broken.sql', createUsers);
        expect((await migrate(db, { dir, lockTimeoutMs: 2_000 })).applied).toEqual(['0001_broken.sql']);
      });
    });

    describe('a file added below the newest applied version', () => {
      it('is refused rather than applied out of order', async () => {
        const { db, dir, write } = await setUp({ '0002_add_users.sql': createUsers });
        await migrate(db, { dir });
        write('0001_forgotten.sql', 'create table forgotten (id int);');

        await expect(migrate(db, { dir })).rejects.toThrow(
          'migration 0001_forgotten.sql was never applied, but the newer version 2 was: give it a version after 2',
        );
      });
    });

    describe('a recorded version without a file', () => {
      it('is reported, not an error (an older build starting after a newer one)', async () => {
        const { db, dir } = await setUp({
          '0001_create_users.sql': createUsers,
          '0002_add_name.sql': addName,
        });
        await migrate(db, { dir });
        const older = migrationsDir({ '0001_create_users.sql': createUsers });
        dirs.push(older);

        expect(await migrate(db, { dir: older.dir })).toEqual({
          applied: [],
          version: 2,
          unknownVersions: [2],
        });
      });
    });

    describe('a custom table', () => {
      it('keeps its own history, so two services can share a database', async () => {
        const { db, dir } = await setUp({ '0001_create_users.sql': createUsers });
        const orders = migrationsDir({
          '0001_create_orders.sql': 'create table orders (id text primary key);',
        });
        dirs.push(orders);

        await migrate(db, { dir, table: 'user_migrations' });
        await migrate(db, { dir: orders.dir, table: 'order_migrations' });

        expect(await tableNames(db)).toEqual(['order_migrations', 'orders', 'user_migrations', 'users']);
      });

      it('must be a plain identifier', async () => {
        const { db, dir } = await setUp({});
        await expect(migrate(db, { dir, table: 'x; drop table users' })).rejects.toThrow(MigrationError);
      });
    });
  });
}

describe('migrate on a PGlite data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'db-pglite-'));
  const migrations = migrationsDir({ '0001_create_users.sql': createUsers });
  let db: Database | undefined;

  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('persists across restarts: the second start applies nothing', async () => {
    try {
      db = await openDatabase({
        dataDir: join(dataDir, 'nested', 'data'),
        pglite: { loadDataDir: await preparePglite() },
      });
      expect((await migrate(db, { dir: migrations.dir })).applied).toEqual(['0001_create_users.sql']);
      await db.execute(sql`insert into users values ('u1', 'a@example.com')`);
      await db.close();

      db = await openDatabase({ dataDir: join(dataDir, 'nested', 'data') });
      expect((await migrate(db, { dir: migrations.dir })).applied).toEqual([]);
      expect((await db.execute(sql`select id from users`)).rows).toEqual([{ id: 'u1' }]);
    } finally {
      await db?.close();
      rmSync(dataDir, { recursive: true, force: true });
      migrations.remove();
    }
  });
});
