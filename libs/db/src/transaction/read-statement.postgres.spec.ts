// How readStatement runs on a server: on its own when the connection's statement timeout is the
// one it must have, in a read-only transaction with a lowered timeout otherwise.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { failureOf, openWithAccounts } from '../__fixtures__/accounts.js';
import { activeQueries, shownTimeoutMs } from '../__fixtures__/server-activity.js';
import { postgresTarget, type OpenedDatabase, type TargetOptions } from '../testing/index.js';
import type { Database } from '../database.js';
import { readStatement } from './read-statement.js';
import { sqlStateOf } from './sql-state.js';
import { TransactionCancelledError } from './transaction-cancelled-error.js';

interface Session {
  readOnly: string;
  timeout: string;
}

const sessionOf = (db: Database, options: { timeoutMs?: number } = {}) =>
  readStatement(
    db,
    async (tx) =>
      (
        await tx.execute<{ readOnly: string; timeout: string }>(
          sql`select current_setting('transaction_read_only') as "readOnly",
                     current_setting('statement_timeout') as timeout`,
        )
      ).rows[0] as Session,
    options,
  );

describe.skipIf(postgresTarget.skip)('readStatement on postgres only', () => {
  let opened: OpenedDatabase | undefined;

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  async function setUp(options: TargetOptions = {}) {
    opened = await openWithAccounts(postgresTarget, options);
    return opened.db;
  }

  it('runs without a transaction around it when the budget is at least the statement timeout', async () => {
    const db = await setUp({ statementTimeoutMs: 60_000 });
    // Outside `begin read only`, the session's defaults: not read-only, the startup parameter.
    expect(await sessionOf(db)).toEqual({ readOnly: 'off', timeout: '1min' });
    expect(await sessionOf(db, { timeoutMs: 120_000 })).toEqual({ readOnly: 'off', timeout: '1min' });
  });

  it('runs in a read-only transaction under the time left when that is shorter', async () => {
    const db = await setUp({ statementTimeoutMs: 60_000 });
    const session = await sessionOf(db, { timeoutMs: 5_000 });
    expect(session.readOnly).toBe('on');
    const ms = shownTimeoutMs(session.timeout);
    expect(ms).toBeGreaterThan(1_000);
    expect(ms).toBeLessThanOrEqual(5_000);
    // Restored afterwards: SET LOCAL ended with the transaction.
    expect((await sessionOf(db)).timeout).toBe('1min');
  });

  it('is ended by the statement timeout on its own, as kind timeout', async () => {
    const db = await setUp({ statementTimeoutMs: 250 });
    const failure = await failureOf(readStatement(db, (tx) => tx.execute(sql`select pg_sleep(5)`)));
    expect(failure).toBeInstanceOf(TransactionCancelledError);
    expect((failure as TransactionCancelledError).kind).toBe('timeout');
    expect(sqlStateOf((failure as Error).cause)).toBe('57014');
  });

  it('is cancelled on the server when the signal aborts', async () => {
    const db = await setUp({ pool: { max: 4 } });
    const marker = `cancel_${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    const running = readStatement(db, (tx) => tx.execute(sql.raw(`select pg_sleep(60) /* ${marker} */`)), {
      signal: controller.signal,
    });
    running.catch(() => undefined);
    const active = () => activeQueries(db, marker);
    await expect.poll(active, { timeout: 10_000 }).toBe(1);

    controller.abort(new Error('client cancelled'));

    const failure = await failureOf(running);
    expect(failure).toBeInstanceOf(TransactionCancelledError);
    expect((failure as TransactionCancelledError).kind).toBe('aborted');
    await expect.poll(active, { timeout: 10_000 }).toBe(0);
  });
});
