import type { Database, DatabaseSchema, Transaction } from '@platform/db';
import { preparePglite } from '@platform/db/testing';
import { createLogger } from '@platform/observability';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { committed, eventDatabase } from './__fixtures__/event-database.js';
import { inbox } from './inbox.js';

const logger = createLogger({ name: 'inbox-test', level: 'silent' });
const event = { id: 'event-1', type: 'platform.order.v1.OrderCreated' };

let db: Database;
let dispose: () => Promise<void>;
beforeAll(() => preparePglite());
beforeEach(async () => ({ db, dispose } = await eventDatabase()));
afterEach(() => dispose());

const writeEffect = (eventId: string) => async (tx: Transaction<DatabaseSchema>) => {
  await tx.execute(sql`insert into effects (event_id) values (${eventId})`);
};

describe('inbox.applyOnce', () => {
  it('commits the effect and the inbox row together', async () => {
    expect(await inbox.applyOnce(db, 'stats', event, writeEffect(event.id))).toBe(true);
    expect(await committed(db)).toEqual({ effects: ['event-1'], inbox: ['stats/event-1'] });
  });

  it('skips a duplicate delivery without running the effect', async () => {
    await inbox.applyOnce(db, 'stats', event, writeEffect(event.id));
    const effect = vi.fn(writeEffect(event.id));
    expect(await inbox.applyOnce(db, 'stats', event, effect)).toBe(false);
    expect(effect).not.toHaveBeenCalled();
    expect(await committed(db)).toEqual({ effects: ['event-1'], inbox: ['stats/event-1'] });
  });

  it('applies the same event once per consumer group', async () => {
    await inbox.applyOnce(db, 'stats', event, writeEffect(event.id));
    expect(await inbox.applyOnce(db, 'audit', event, writeEffect(event.id))).toBe(true);
    expect((await committed(db)).inbox).toEqual(['audit/event-1', 'stats/event-1']);
  });

  it('rolls the inbox row back with a failing effect, so a redelivery applies the event', async () => {
    const failure = new Error('handler failed after writing');
    await expect(
      inbox.applyOnce(db, 'stats', event, async (tx) => {
        await writeEffect(event.id)(tx);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await committed(db)).toEqual({ effects: [], inbox: [] });

    expect(await inbox.applyOnce(db, 'stats', event, writeEffect(event.id))).toBe(true);
    expect(await committed(db)).toEqual({ effects: ['event-1'], inbox: ['stats/event-1'] });
  });

  it('rolls back both when the transaction is cancelled (the attempt ran out of time)', async () => {
    const stop = new AbortController();
    await expect(
      inbox.applyOnce(
        db,
        'stats',
        event,
        async (tx) => {
          await writeEffect(event.id)(tx);
          stop.abort(new Error('shutdown timeout'));
          await new Promise(() => undefined);
        },
        { signal: stop.signal },
      ),
    ).rejects.toMatchObject({ name: 'TransactionCancelledError' });
    expect(await committed(db)).toEqual({ effects: [], inbox: [] });
  });
});

describe('inbox pruning', () => {
  async function age(group: string, eventId: string, hoursAgo: number) {
    await inbox.applyOnce(db, group, { id: eventId, type: event.type }, async () => undefined);
    await db.execute(
      sql`update event_inbox set handled_at = now() - make_interval(hours => ${hoursAgo}) where event_id = ${eventId}`,
    );
  }

  it("deletes the group's rows older than the cut-off, and no other group's", async () => {
    await age('stats', 'old', 48);
    await age('stats', 'recent', 1);
    await age('audit', 'other-old', 48);
    await inbox.prune(db, 'stats', new Date(Date.now() - 24 * 3_600_000));
    expect((await committed(db)).inbox).toEqual(['audit/other-old', 'stats/recent']);
  });

  it('prunes every hour until cancelled', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      await age('stats', 'old', 48);
      const cancel = inbox.schedulePruning(db, 'stats', 24 * 3_600_000, logger);
      expect((await committed(db)).inbox).toEqual(['stats/old']);
      vi.advanceTimersByTime(3_600_000);
      await expect.poll(async () => (await committed(db)).inbox).toEqual([]);

      cancel();
      await age('stats', 'old-again', 48);
      vi.advanceTimersByTime(3_600_000);
      expect(vi.getTimerCount()).toBe(0);
      expect((await committed(db)).inbox).toEqual(['stats/old-again']);
    } finally {
      vi.useRealTimers();
    }
  });
});
