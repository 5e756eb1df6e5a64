// A PostgreSQL server that goes away while a service runs: reached through a loopback TCP proxy
// that is cut (clients see connection resets, new connections are reset at once) and restored,
// or a session the server terminates. The service's transactions must fail as gRPC UNAVAILABLE,
// fast, with nothing half-written, and work again once the database is back.
import { randomBytes } from 'node:crypto';
import { Code, toPlatformError } from '@platform/core';
import { startTcpProxy, type TcpProxy } from '@platform/testing';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { failureOf } from '../__fixtures__/accounts.js';
import { deferred } from '../__fixtures__/deferred.js';
import { DatabaseUnavailableError } from '../connection/database-unavailable-error.js';
import type { Database } from '../database.js';
import { openDatabase } from '../open-database.js';
import { postgresTarget, type OpenedDatabase } from '../testing/index.js';
import { withTransaction } from './with-transaction.js';

/** Connecting through a cut proxy is reset at once; this only bounds a connection that hangs. */
const connectionTimeoutMs = 500;
/**
 * How soon a failure must be reported: a third of the statement timeout (30 s), which is what
 * waiting on a dead connection would take. Wide, so a busy machine never gets near it.
 */
const promptlyMs = 10_000;

describe.skipIf(postgresTarget.skip)('a PostgreSQL database that becomes unreachable', () => {
  let opened: OpenedDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let proxied: Database | undefined;
  const releases: (() => void)[] = [];

  afterEach(async () => {
    for (const release of releases.splice(0)) release();
    await proxied?.close();
    await proxy?.close();
    await opened?.dispose();
    opened = proxy = proxied = undefined;
  });

  /** A fresh database with an `events` table, and a handle on it through a proxy. */
  async function setUp(): Promise<{ db: Database; direct: Database; proxy: TcpProxy }> {
    opened = await postgresTarget.open();
    await opened.db.execute(sql`create table events (id text primary key)`);
    const url = new URL(opened.url ?? '');
    proxy = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port) } });
    url.host = proxy.address;
    proxied = await openDatabase({ url: url.toString(), pool: { max: 2, connectionTimeoutMs } });
    return { db: proxied, direct: opened.db, proxy };
  }

  const insert = (db: Database, id: string) =>
    withTransaction(db, (tx) => tx.execute(sql`insert into events values (${id})`));

  async function eventIds(db: Database): Promise<string[]> {
    return (await db.execute<{ id: string }>(sql`select id from events order by id`)).rows.map(
      (row) => row.id,
    );
  }

  /** Asserts that `failure` is what a service answers UNAVAILABLE with. */
  function expectUnavailable(failure: unknown): void {
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    expect(failure).toMatchObject({ code: Code.UNAVAILABLE, reason: 'DATABASE_UNAVAILABLE' });
    expect(toPlatformError(failure).code).toBe(Code.UNAVAILABLE);
  }

  describe('when the connection to the server is cut', () => {
    it('rejects transactions and the health check promptly as unavailable, then works again once restored', async () => {
      const { db, direct, proxy } = await setUp();
      await insert(db, 'before');

      proxy.cut();
      const started = Date.now();
      const failure = await failureOf(insert(db, 'during'));
      const elapsedMs = Date.now() - started;

      expectUnavailable(failure);
      expect(elapsedMs).toBeLessThan(promptlyMs);
      await expect(db.health()).rejects.toBeInstanceOf(DatabaseUnavailableError);

      proxy.restore();
      await insert(db, 'after');
      await expect(db.health()).resolves.toBeUndefined();
      expect(await eventIds(direct)).toEqual(['after', 'before']);
    });

    it('between two statements of a transaction: rejects, and the first statement is not committed', async () => {
      const { db, direct, proxy } = await setUp();

      const failure = await failureOf(
        withTransaction(db, async (tx) => {
          await tx.execute(sql`insert into events values ('partial')`);
          proxy.cut();
          await tx.execute(sql`insert into events values ('second')`);
        }),
      );

      expectUnavailable(failure);
      proxy.restore();
      expect(await eventIds(direct)).toEqual([]);
      // The server rolled the dead session back: its row lock is gone, the same row can be written.
      await insert(db, 'partial');
      expect(await eventIds(direct)).toEqual(['partial']);
    });

    it('while a statement runs: rejects without waiting for the statement', async () => {
      const { db, direct, proxy } = await setUp();
      const marker = `cut_${randomBytes(4).toString('hex')}`;

      const running = withTransaction(db, async (tx) => {
        await tx.execute(sql`insert into events values ('partial')`);
        await tx.execute(sql.raw(`select pg_sleep(30) /* ${marker} */`));
      });
      running.catch(() => undefined);
      await expect
        .poll(
          async () =>
            (
              await direct.execute<{ count: number }>(
                sql`select count(*)::int as count from pg_stat_activity where query like ${`%${marker}%`} and pid <> pg_backend_pid()`,
              )
            ).rows[0]?.count,
          { timeout: 10_000 },
        )
        .toBe(1);

      const started = Date.now();
      proxy.cut();
      const failure = await failureOf(running);

      expectUnavailable(failure);
      expect(Date.now() - started).toBeLessThan(promptlyMs);
      expect(await eventIds(direct)).toEqual([]);
    });
  });

  describe('when the server terminates the session (SQLSTATE 57P01)', () => {
    it('rejects the transaction as unavailable without crashing, and the pool replaces the connection', async () => {
      const { db, direct } = await setUp();
      const backend = deferred<number>();
      const terminated = deferred();
      releases.push(terminated.resolve);

      const running = withTransaction(db, async (tx) => {
        await tx.execute(sql`insert into events values ('partial')`);
        const pid = (await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`)).rows[0]?.pid;
        backend.resolve(pid ?? 0);
        await terminated.promise;
        await tx.execute(sql`insert into events values ('second')`);
      });
      running.catch(() => undefined);
      await direct.execute(sql`select pg_terminate_backend(${await backend.promise})`);
      // Let the FATAL message reach the client before its next statement.
      await new Promise((resolve) => setTimeout(resolve, 100));
      terminated.resolve();

      expectUnavailable(await failureOf(running));
      expect(await eventIds(direct)).toEqual([]);
      await insert(db, 'after');
      expect(await eventIds(direct)).toEqual(['after']);
    });
  });
});
