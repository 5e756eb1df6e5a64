import type { Database } from '@platform/db';
import { preparePglite } from '@platform/db/testing';
import { sql } from 'drizzle-orm';
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
  it('runs the handler with the record context, the signals and no transaction', async () => {
    const seen: [ItemAdded, EventContext][] = [];
    const attempt = options();
    const applied = await attemptHandler(
      on(itemAdded, async (added, handlerContext) => void seen.push([added, handlerContext])),
      event,
      context,
      attempt,
    );
    expect(applied).toBe(true);
    expect(seen).toEqual([
      [event, { ...context, tx: undefined, signal: attempt.signal, stopping: attempt.stopping }],
    ]);
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
    const slow = on(itemAdded, async (added, handlerContext) => {
      await writeEffect.handle(added, handlerContext);
      await never();
    });
    await expect(attemptHandler(slow, event, context, options({ db, timeoutMs: 50 }))).rejects.toMatchObject({
      name: 'TransactionCancelledError',
      kind: 'timeout',
    });
    expect(await committed(db)).toEqual({ effects: [], inbox: [] });
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
