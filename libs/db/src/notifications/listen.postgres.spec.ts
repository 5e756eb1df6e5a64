// The listening connection of PostgreSQL: one dedicated session per database, visible in
// pg_stat_activity as `<applicationName>:listen`, that survives a terminated session or a cut
// network by reconnecting (then `onReconnect`), and that db.close() ends.
import { startTcpProxy, type TcpProxy } from '@platform/testing';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { failureOf } from '../__fixtures__/accounts.js';
import { DatabaseUnavailableError } from '../connection/database-unavailable-error.js';
import type { Database } from '../database.js';
import type { DatabaseOptions } from '../database-options.js';
import { openDatabase } from '../open-database.js';
import { postgresTarget, type OpenedDatabase } from '../testing/index.js';
import { withTransaction } from '../transaction/with-transaction.js';
import { listen } from './listen.js';
import { notify } from './notify.js';

const applicationName = 'listen-spec';
/** Reconnection may take a few backoff rounds. */
const reconnectTimeoutMs = 10_000;

/** A subscriber that records what it receives, its reconnections and errors. */
async function subscribe(db: Database, channel: string) {
  const received: string[] = [];
  const errors: Error[] = [];
  let reconnects = 0;
  const subscription = await listen(db, channel, (payload) => void received.push(payload), {
    onReconnect: () => void (reconnects += 1),
    onError: (error) => void errors.push(error),
  });
  return { received, errors, subscription, reconnects: () => reconnects };
}

describe.skipIf(postgresTarget.skip)('listen on postgres only', () => {
  let opened: OpenedDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let proxied: Database | undefined;

  afterEach(async () => {
    await proxied?.close();
    await proxy?.close();
    await opened?.dispose();
    opened = proxy = proxied = undefined;
  });

  async function setUp(options: Pick<DatabaseOptions, 'pool'> = {}): Promise<Database> {
    opened = await postgresTarget.open({ ...options, applicationName });
    return opened.db;
  }

  /** The listening sessions of this test's database, seen from another session. */
  async function listenerSessions(db: Database): Promise<{ pid: number; query: string }[]> {
    const result = await db.execute<{ pid: number; query: string }>(
      sql`select pid, query from pg_stat_activity
          where application_name = ${`${applicationName}:listen`} and datname = current_database()`,
    );
    return result.rows;
  }

  const commitNotification = (db: Database, channel: string, payload: string) =>
    withTransaction(db, (tx) => notify(tx, channel, payload));

  describe('the listening connection', () => {
    it('is one session for every channel and subscriber, outside the pool, ended after the last one leaves', async () => {
      const db = await setUp({ pool: { max: 1 } });
      const subscribers = [
        await subscribe(db, 'order_changes'),
        await subscribe(db, 'order_changes'),
        await subscribe(db, 'user_changes'),
      ];

      expect(await listenerSessions(db)).toHaveLength(1);
      // The only pooled connection stays free for transactions.
      await commitNotification(db, 'user_changes', 'u-1');
      await expect.poll(() => subscribers[2]?.received).toEqual(['u-1']);

      for (const { subscription } of subscribers.slice(0, 2)) await subscription.close();
      expect(await listenerSessions(db)).toHaveLength(1);
      await subscribers[2]?.subscription.close();
      await expect.poll(() => listenerSessions(db)).toEqual([]);
    });

    it('UNLISTENs a channel once its last subscriber left', async () => {
      const db = await setUp();
      const leaving = await subscribe(db, 'order_changes');
      const staying = await subscribe(db, 'user_changes');

      await leaving.subscription.close();

      // The session's latest statement: nothing else runs on it meanwhile.
      expect((await listenerSessions(db)).map((session) => session.query)).toEqual([
        'unlisten "order_changes"',
      ]);
      await commitNotification(db, 'user_changes', 'u-1');
      await expect.poll(() => staying.received).toEqual(['u-1']);
    });

    it('rejects listen with DatabaseUnavailableError when the server cannot be reached', async () => {
      await setUp();
      const url = new URL(opened?.url ?? '');
      proxy = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port) } });
      url.host = proxy.address;
      proxied = await openDatabase({ url: url.toString(), pool: { connectionTimeoutMs: 500 } });
      proxy.cut();

      expect(await failureOf(listen(proxied, 'order_changes', () => undefined))).toBeInstanceOf(
        DatabaseUnavailableError,
      );
      proxy.restore();
      await expect(listen(proxied, 'order_changes', () => undefined)).resolves.toMatchObject({
        channel: 'order_changes',
      });
    });
  });

  describe('when the server terminates the listening session', () => {
    it('reconnects, listens again to every channel, calls onReconnect, and later notifications arrive', async () => {
      const db = await setUp();
      const orders = await subscribe(db, 'order_changes');
      const users = await subscribe(db, 'user_changes');
      const [before] = await listenerSessions(db);

      await db.execute(sql`select pg_terminate_backend(${before?.pid})`);

      await expect
        .poll(() => [orders.reconnects(), users.reconnects()], { timeout: reconnectTimeoutMs })
        .toEqual([1, 1]);
      expect(orders.errors.map((error) => (error as { code?: string }).code)).toContain('57P01');
      const after = await listenerSessions(db);
      expect(after).toHaveLength(1);
      expect(after[0]?.pid).not.toBe(before?.pid);
      await commitNotification(db, 'order_changes', 'o-1');
      await commitNotification(db, 'user_changes', 'u-1');
      await expect.poll(() => [orders.received, users.received]).toEqual([['o-1'], ['u-1']]);
    });
  });

  describe('when the network to the server is cut', () => {
    it('retries with backoff while it is down, then reconnects and delivers again', async () => {
      const db = await setUp();
      const url = new URL(opened?.url ?? '');
      proxy = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port) } });
      url.host = proxy.address;
      proxied = await openDatabase({
        url: url.toString(),
        applicationName,
        pool: { connectionTimeoutMs: 500 },
        listener: { reconnectDelayMs: 20, maxReconnectDelayMs: 100 },
      });
      const subscriber = await subscribe(proxied, 'order_changes');

      proxy.cut();
      // The lost connection, then failed attempts.
      await expect
        .poll(() => subscriber.errors.length, { timeout: reconnectTimeoutMs })
        .toBeGreaterThanOrEqual(3);
      await commitNotification(db, 'order_changes', 'lost');
      expect(subscriber.reconnects()).toBe(0);
      proxy.restore();

      await expect.poll(() => subscriber.reconnects(), { timeout: reconnectTimeoutMs }).toBe(1);
      await commitNotification(db, 'order_changes', 'o-1');
      await expect.poll(() => subscriber.received).toEqual(['o-1']);
    });
  });

  describe('db.close()', () => {
    it('ends the listening session', async () => {
      const db = await setUp();
      const another = await opened?.openAnother({ applicationName });
      if (!another) throw new Error('no second handle');
      await subscribe(another, 'order_changes');
      expect(await listenerSessions(db)).toHaveLength(1);

      await another.close();

      expect(await listenerSessions(db)).toEqual([]);
    });

    it('while a reconnection is pending: resolves, and nothing reconnects afterwards', async () => {
      const db = await setUp();
      const another = await opened?.openAnother({
        applicationName,
        listener: { reconnectDelayMs: 200, maxReconnectDelayMs: 200 },
      });
      if (!another) throw new Error('no second handle');
      const subscriber = await subscribe(another, 'order_changes');
      const [session] = await listenerSessions(db);
      await db.execute(sql`select pg_terminate_backend(${session?.pid})`);
      await expect.poll(() => subscriber.errors.length).toBeGreaterThanOrEqual(1);

      await expect(another.close()).resolves.toBeUndefined();

      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(subscriber.reconnects()).toBe(0);
      expect(await listenerSessions(db)).toEqual([]);
    });
  });
});
