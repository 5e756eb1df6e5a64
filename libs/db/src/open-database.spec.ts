import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, postgresTarget, preparePglite, type OpenedDatabase } from './testing/index.js';
import { deferred } from './__fixtures__/deferred.js';
import { DatabaseUnavailableError } from './connection/database-unavailable-error.js';
import type { Database } from './database.js';
import { openDatabase } from './open-database.js';
import { withTransaction } from './transaction/with-transaction.js';

beforeAll(() => preparePglite());

const accounts = pgTable('accounts', { id: text('id').primaryKey(), balance: integer('balance').notNull() });

const releases: (() => void)[] = [];
const closers: (() => Promise<void>)[] = [];
let opened: OpenedDatabase | undefined;
let extra: Database | undefined;

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  for (const close of closers.splice(0)) await close();
  await extra?.close();
  await opened?.dispose();
  opened = extra = undefined;
});

/** Holds a transaction open (and so its connection, or PGlite's only one) until released. */
async function holdTransaction(db: Database) {
  const entered = deferred();
  const release = deferred();
  releases.push(release.resolve);
  const held = withTransaction(db, async (tx) => {
    await tx.execute(sql`select 1`);
    entered.resolve();
    await release.promise;
  });
  await entered.promise;
  return async () => {
    release.resolve();
    await held;
  };
}

describe('openDatabase without a location', () => {
  it('refuses to guess one', async () => {
    await expect(openDatabase({})).rejects.toThrow(
      'openDatabase needs a url (PostgreSQL), a dataDir or inMemory: true (PGlite)',
    );
  });
});

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`a database on ${target.name}`, () => {
    it('reports its driver and answers the health check', async () => {
      opened = await target.open();
      expect(opened.db.driver).toBe(target.name === 'postgres' ? 'pg' : 'pglite');
      await expect(opened.db.health()).resolves.toBeUndefined();
    });

    it('fails the health check when no statement can run in time', async () => {
      opened = await target.open({ pool: { max: 1, connectionTimeoutMs: 5_000 } });
      const release = await holdTransaction(opened.db);

      await expect(opened.db.health({ timeoutMs: 100 })).rejects.toThrow(/did not answer within 100 ms/);
      await release();
      await expect(opened.db.health()).resolves.toBeUndefined();
    });

    it('fails the health check when its signal aborts', async () => {
      opened = await target.open();
      await expect(opened.db.health({ signal: AbortSignal.abort() })).rejects.toThrow(/was aborted/);
    });

    it('fails the health check once closed, and closes only once', async () => {
      opened = await target.open();
      await opened.db.close();
      await opened.db.close();
      await expect(opened.db.health()).rejects.toThrow();
    });

    it('serves relational queries of its schema, in and out of transactions', async () => {
      opened = await target.open();
      await opened.db.execute(sql`create table accounts (id text primary key, balance integer not null)`);
      const withSchema = await openDatabase(
        opened.url
          ? { url: opened.url, schema: { accounts } }
          : { inMemory: true, schema: { accounts }, pglite: { loadDataDir: await preparePglite() } },
      );
      closers.push(() => withSchema.close());
      if (!opened.url)
        await withSchema.execute(sql`create table accounts (id text primary key, balance integer not null)`);
      await withSchema.insert(accounts).values({ id: 'a', balance: 5 });

      const inside = await withTransaction(withSchema, (tx) => tx.query.accounts.findFirst());
      const outside = await withSchema.query.accounts.findMany();

      expect(inside).toEqual({ id: 'a', balance: 5 });
      expect(outside).toEqual([{ id: 'a', balance: 5 }]);
    });
  });
}

describe.skipIf(postgresTarget.skip)('a PostgreSQL database', () => {
  it('names its connections with applicationName', async () => {
    opened = await postgresTarget.open({ applicationName: 'user-service' });
    const result = await opened.db.execute<{ application_name: string }>(
      sql`select current_setting('application_name') as application_name`,
    );
    expect(result.rows[0]?.application_name).toBe('user-service');
  });

  it('waits at most connectionTimeoutMs for a connection when the pool is full, then answers unavailable', async () => {
    opened = await postgresTarget.open({ pool: { max: 1, connectionTimeoutMs: 200 } });
    const release = await holdTransaction(opened.db);

    const failure = await withTransaction(opened.db, (tx) => tx.execute(sql`select 1`)).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    expect((failure as Error).cause).toMatchObject({ message: 'timeout exceeded when trying to connect' });
    await release();
  });

  it('that cannot be reached fails to open, naming the server but never the password', async () => {
    const failure = await openDatabase({
      url: 'postgres://app:s3cr3t-password@127.0.0.1:1/orders',
      pool: { connectionTimeoutMs: 1_000 },
    }).catch((error: unknown) => error as Error);

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1\/orders: /);
    expect((failure as Error).message).not.toContain('s3cr3t');
  });
});

describe('a PGlite data directory', () => {
  it('is created when missing and keeps its data across a reopen', async () => {
    const root = mkdtempSync(join(tmpdir(), 'db-open-'));
    const dataDir = join(root, 'a', 'b');
    try {
      extra = await openDatabase({ dataDir, pglite: { loadDataDir: await preparePglite() } });
      expect(existsSync(dataDir)).toBe(true);
      await extra.execute(sql`create table notes (body text)`);
      await extra.execute(sql`insert into notes values ('kept')`);
      await extra.close();

      extra = await openDatabase({ dataDir });
      expect((await extra.execute(sql`select body from notes`)).rows).toEqual([{ body: 'kept' }]);
    } finally {
      await extra?.close();
      extra = undefined;
      rmSync(root, { recursive: true, force: true });
    }
  });
});
