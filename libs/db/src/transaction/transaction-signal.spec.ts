import { openCall, runInCall, type OpenedCall } from '@platform/core';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deferred } from '../__fixtures__/deferred.js';
import { activeQueries } from '../__fixtures__/server-activity.js';
import type { Database, Transaction } from '../database.js';
import {
  databaseTargets,
  pgliteTarget,
  postgresTarget,
  preparePglite,
  type OpenedDatabase,
} from '../testing/index.js';
import { TransactionCancelledError } from './transaction-cancelled-error.js';
import { callRemainingMs, transactionSignal } from './transaction-signal.js';
import { withTransaction } from './with-transaction.js';

// A transaction inherits the call scope it runs in, whatever opened it: here a scope like the one
// the Kafka consumer runtime opens per event (libs/service's suite holds the gRPC call's).

beforeAll(() => preparePglite());

let opened: OpenedDatabase | undefined;
let call: OpenedCall | undefined;
const releases: (() => void)[] = [];

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  call?.close();
  await opened?.dispose();
  opened = call = undefined;
});

/** Runs `work` in a transaction inside a new call scope; resolves with how it ended. */
function inScope(db: Database, options: { timeoutMs?: number }, work: (tx: Transaction) => Promise<unknown>) {
  call = openCall({ name: 'test/OrderPlaced', ...options });
  const { scope } = call;
  let signalInScope: AbortSignal | undefined;
  const ended = runInCall(scope, () => {
    signalInScope = transactionSignal();
    return withTransaction(db, work).then(
      () => 'committed' as const,
      (error: unknown) => error,
    );
  });
  return { ended, signal: signalInScope, scope: call };
}

async function setUp(target: (typeof databaseTargets)[number]) {
  opened = await target.open();
  await opened.db.execute(sql`create table events (id text primary key)`);
  return opened.db;
}

async function eventIds(db: Database) {
  return (await db.execute<{ id: string }>(sql`select id from events order by id`)).rows.map((row) => row.id);
}

describe('transactionSignal and callRemainingMs', () => {
  it('are undefined and Infinity outside a call scope', () => {
    expect(transactionSignal()).toBeUndefined();
    expect(callRemainingMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it("are the scope's signal and what is left of its budget inside one", () => {
    call = openCall({ name: 'test/OrderPlaced', timeoutMs: 30_000 });
    const seen = runInCall(call.scope, () => ({ signal: transactionSignal(), remaining: callRemainingMs() }));
    expect(seen.signal).toBe(call.scope.signal);
    expect(seen.remaining).toBeGreaterThan(0);
    expect(seen.remaining).toBeLessThanOrEqual(30_000);
  });
});

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`a transaction inside a call scope on ${target.name}`, () => {
    it('commits when the work completes, under the scope signal', async () => {
      const db = await setUp(target);
      const run = inScope(db, { timeoutMs: 10_000 }, (tx) =>
        tx.execute(sql`insert into events values ('e1')`),
      );

      expect(await run.ended).toBe('committed');
      expect(run.signal).toBe(run.scope.scope.signal);
      expect(await eventIds(db)).toEqual(['e1']);
    });

    it('is rolled back when the scope is aborted (the consumer stopping) while it awaits other work', async () => {
      const db = await setUp(target);
      const downstream = deferred();
      releases.push(downstream.resolve);
      const written = deferred();
      const run = inScope(db, {}, async (tx) => {
        await tx.execute(sql`insert into events values ('e1')`);
        written.resolve();
        await downstream.promise;
      });

      await written.promise;
      run.scope.abort('consumer stopping');

      const outcome = await run.ended;
      expect(outcome).toBeInstanceOf(TransactionCancelledError);
      expect((outcome as TransactionCancelledError).kind).toBe('aborted');
      expect(await eventIds(db)).toEqual([]);
    });
  });
}

describe.skipIf(postgresTarget.skip)('a long statement inside a call scope on postgres', () => {
  it("is cancelled on the server when the scope's deadline passes", async () => {
    opened = await postgresTarget.open();
    const db = opened.db;
    await db.execute(sql`create table events (id text primary key)`);
    const marker = `deadline_${randomBytes(4).toString('hex')}`;
    const run = inScope(db, { timeoutMs: 500 }, async (tx) => {
      await tx.execute(sql`insert into events values ('e1')`);
      await tx.execute(sql.raw(`select pg_sleep(60) /* ${marker} */`));
    });

    const outcome = await run.ended;

    expect(outcome).toBeInstanceOf(TransactionCancelledError);
    expect((outcome as TransactionCancelledError).kind).toBe('timeout');
    expect(await activeQueries(db, marker)).toBe(0);
    expect(await eventIds(db)).toEqual([]);
  });
});

describe("a statement that blocks PGlite past the scope's deadline", () => {
  it('runs to completion, then its result is discarded and the transaction rolled back', async () => {
    opened = await pgliteTarget.open();
    const db = opened.db;
    await db.execute(sql`create table events (id text primary key)`);
    let statementReturned = false;
    const run = inScope(db, { timeoutMs: 200 }, async (tx) => {
      await tx.execute(sql`insert into events values ('e1')`);
      await tx.execute(sql`select pg_sleep(0.6)`);
      statementReturned = true;
      await tx.execute(sql`insert into events values ('e2')`);
    });

    const outcome = await run.ended;

    expect(outcome).toBeInstanceOf(TransactionCancelledError);
    expect(statementReturned).toBe(false);
    expect(await eventIds(db)).toEqual([]);
  });
});
