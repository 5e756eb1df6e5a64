import type { Database } from '@platform/db';
import { preparePglite } from '@platform/db/testing';
import { sql } from 'drizzle-orm';
import { currentScope, remainingMs } from '@platform/core';
import { withTransaction } from '@platform/db';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { committed, eventDatabase } from './__fixtures__/event-database.js';
import { itemAdded, type ItemAdded } from './__fixtures__/test-event.js';
import { attemptHandler, type AttemptContext, type HandlerAttemptOptions } from './handler-attempt.js';
import { on, type EventContext } from './handler-binding.js';

const context: AttemptContext = {
  envelope: {
    id: 'event-1',
    type: itemAdded.type,
    source: '/platform/test',
    subject: 'i-1',
    time: new Date(),
  },
  topic: 'items',
  partition: 0,
  offset: '4',
  attempt: 2,
};
const event: ItemAdded = { itemId: 'i-1' };

function options(overrides: Partial<HandlerAttemptOptions> = {}): HandlerAttemptOptions {
  return {
    group: 'stats',
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    stopping: new AbortController().signal,
    ...overrides,
  };
}

const never = () => new Promise<never>(() => undefined);

describe('a handler attempt without a database', () => {
  it("runs the handler with the record context, its scope's signal and no transaction", async () => {
    const seen: [ItemAdded, EventContext][] = [];
    const attempt = options();
    let scopeSignal: AbortSignal | undefined;
    const applied = await attemptHandler(
      on(itemAdded, async (added, handlerContext) => {
        scopeSignal = currentScope()?.signal;
        seen.push([added, handlerContext]);
      }),
      event,
      context,
      attempt,
    );
    expect(applied).toBe(true);
    expect(scopeSignal).toBeInstanceOf(AbortSignal);
    expect(seen).toHaveLength(1);
    const [[added, handlerContext]] = seen as [[ItemAdded, EventContext]];
    expect(added).toEqual(event);
    // The record's fields as given; `signal` is read through the context (a getter).
    expect({ ...handlerContext }).toEqual({ ...context, tx: undefined, stopping: attempt.stopping });
    expect(handlerContext.signal).toBe(scopeSignal);
  });

  it('fails the attempt when the handler has not finished within its time budget', async () => {
    await expect(
      attemptHandler(on(itemAdded, never), event, context, options({ timeoutMs: 20 })),
    ).rejects.toThrow('the handler did not finish within 20 ms');
  });

  it("rejects with the handler's own error", async () => {
    const failure = new Error('downstream unavailable');
    await expect(
      attemptHandler(
        on(itemAdded, () => Promise.reject(failure)),
        event,
        context,
        options(),
      ),
    ).rejects.toBe(failure);
  });
});

describe("a handler attempt's call scope", () => {
  it("is current in the handler: named after the group and event type, with the attempt's time budget", async () => {
    let seen: { name?: string; remaining: number } | undefined;
    await attemptHandler(
      on(itemAdded, async () => {
        await Promise.resolve();
        seen = { name: currentScope()?.name, remaining: remainingMs() };
      }),
      event,
      context,
      options({ timeoutMs: 60_000 }),
    );
    expect(seen?.name).toBe('stats/test.items.v1.ItemAdded');
    expect(seen?.remaining).toBeGreaterThan(0);
    expect(seen?.remaining).toBeLessThanOrEqual(60_000);
    expect(currentScope()).toBeUndefined();
  });

  it("aborts when the consumer's stop runs out of time, failing the attempt with the stop's reason", async () => {
    const shutdown = new AbortController();
    const reason = new Error('shutdown timeout');
    let aborted: unknown;
    const attempt = attemptHandler(
      on(itemAdded, (_added, { signal }) => {
        signal.addEventListener('abort', () => (aborted = currentScope()?.signal.reason), { once: true });
        shutdown.abort(reason);
        return never();
      }),
      event,
      context,
      options({ signal: shutdown.signal }),
    );
    await expect(attempt).rejects.toBe(reason);
    expect(aborted).toBe(reason);
  });

  it('has aborted the signal a handler read late by the time the attempt fails on its budget', async () => {
    let signal: AbortSignal | undefined;
    const attempt = attemptHandler(
      on(itemAdded, async (_added, handlerContext) => {
        // Read after the attempt armed its own timer: the scope's timer, made now for the same
        // instant, would fire after it.
        await Promise.resolve();
        signal = handlerContext.signal;
        return never();
      }),
      event,
      context,
      options({ timeoutMs: 20 }),
    );
    await expect(attempt).rejects.toThrow('the handler did not finish within 20 ms');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('aborts when the time budget runs out, and is left behind once the attempt ended', async () => {
    let signal: AbortSignal | undefined;
    await expect(
      attemptHandler(
        on(itemAdded, (_added, handlerContext) => {
          signal = handlerContext.signal;
          return never();
        }),
        event,
        context,
        options({ timeoutMs: 20 }),
      ),
    ).rejects.toThrow('the handler did not finish within 20 ms');
    expect(signal?.aborted).toBe(true);

    const shutdown = new AbortController();
    await attemptHandler(
      on(itemAdded, async (_added, handlerContext) => void (signal = handlerContext.signal)),
      event,
      context,
      options({ signal: shutdown.signal }),
    );
    shutdown.abort(new Error('later'));
    expect(signal?.aborted).toBe(false);
  });
});

describe('a transaction a handler opens itself (a consumer without an inbox)', () => {
  let dispose: () => Promise<void>;
  beforeAll(() => preparePglite());
  afterEach(() => dispose());

  /** A handler writing to its own database in `withTransaction` with no options, then waiting. */
  async function ownTransaction(beforeWaiting: () => void = () => undefined) {
    const opened = await eventDatabase();
    dispose = () => opened.dispose();
    const handler = on(itemAdded, (_added, { envelope }) =>
      withTransaction(opened.db, async (tx) => {
        await tx.execute(sql`insert into effects (event_id) values (${envelope.id})`);
        beforeWaiting();
        await never();
      }),
    );
    return { db: opened.db, handler };
  }

  it('is cancelled when the attempt runs out of its time budget: nothing commits', async () => {
    const { db, handler } = await ownTransaction();
    const failure = await attemptHandler(handler, event, context, options({ timeoutMs: 100 })).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    // The attempt fails at its budget; the transaction, cancelled by the same scope, rolls back.
    await expect.poll(async () => (await committed(db)).effects).toEqual([]);
    await expect
      .poll(
        async () =>
          (
            await db.execute(
              sql`select count(*)::int as n from pg_stat_activity where state like 'idle in transaction%'`,
            )
          ).rows,
      )
      .toEqual([{ n: 0 }]);
  });

  it("is cancelled when the consumer's stop runs out of time", async () => {
    const shutdown = new AbortController();
    const { db, handler } = await ownTransaction(() => shutdown.abort(new Error('shutdown timeout')));
    const failure = await attemptHandler(handler, event, context, options({ signal: shutdown.signal })).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ message: 'shutdown timeout' });
    await expect.poll(async () => (await committed(db)).effects).toEqual([]);
  });
});

describe('a handler attempt with a database (the inbox)', () => {
  let dispose: () => Promise<void>;
  beforeAll(() => preparePglite());
  afterEach(() => dispose());

  async function open(): Promise<Database> {
    const opened = await eventDatabase();
    dispose = () => opened.dispose();
    return opened.db;
  }

  const writeEffect = on(itemAdded, async (_added, { tx, envelope }) => {
    await tx?.execute(sql`insert into effects (event_id) values (${envelope.id})`);
  });

  it("writes the handler's effect in the transaction that records the event in the inbox", async () => {
    const db = await open();
    expect(await attemptHandler(writeEffect, event, context, options({ db }))).toBe(true);
    expect(await committed(db)).toEqual({ effects: ['event-1'], inbox: ['stats/event-1'] });
  });

  it('skips an event the group already applied, without running the handler', async () => {
    const db = await open();
    await attemptHandler(writeEffect, event, context, options({ db }));
    let ran = false;
    const applied = await attemptHandler(
      on(itemAdded, async () => void (ran = true)),
      event,
      { ...context, attempt: 1 },
      options({ db }),
    );
    expect(applied).toBe(false);
    expect(ran).toBe(false);
  });

  it('cancels the transaction when the attempt runs out of its time budget: nothing commits', async () => {
    const db = await open();
    let signal: AbortSignal | undefined;
    const slow = on(itemAdded, async (added, handlerContext) => {
      await writeEffect.handle(added, handlerContext);
      signal = handlerContext.signal;
      await never();
    });
    await expect(attemptHandler(slow, event, context, options({ db, timeoutMs: 50 }))).rejects.toMatchObject({
      name: 'TransactionCancelledError',
      kind: 'timeout',
    });
    expect(await committed(db)).toEqual({ effects: [], inbox: [] });
    // The handler's scope ended with the attempt, on the same deadline.
    expect(signal?.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it("cancels the transaction when the consumer's stop runs out of time (the signal aborts)", async () => {
    const db = await open();
    const shutdown = new AbortController();
    const waiting = on(itemAdded, async (added, handlerContext) => {
      await writeEffect.handle(added, handlerContext);
      shutdown.abort(new Error('shutdown timeout'));
      await never();
    });
    await expect(
      attemptHandler(waiting, event, context, options({ db, signal: shutdown.signal })),
    ).rejects.toMatchObject({ name: 'TransactionCancelledError', kind: 'aborted' });
    expect(await committed(db)).toEqual({ effects: [], inbox: [] });
  });
});
