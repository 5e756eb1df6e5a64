// The consumer's per-record path without Kafka: a fake publisher stands for the retry and
// dead-letter topics, PGlite for the inbox; the attempts, parking and inbox code are the real ones.
import type { Database } from '@platform/db';
import { preparePglite } from '@platform/db/testing';
import { createLogger } from '@platform/observability';
import { sql } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { committed, eventDatabase } from './__fixtures__/event-database.js';
import { recordingPublisher } from './__fixtures__/recording-publisher.js';
import { itemAdded, itemRecord, itemRemoved, type ItemAdded } from './__fixtures__/test-event.js';
import { consumerMetrics } from './consumer-metrics.js';
import { deadLetterHeaders, retryHeaders } from './dead-letter-headers.js';
import { on, type EventContext } from './handler-binding.js';
import { PermanentEventError } from './permanent-event-error.js';
import { RecordParking } from './record-parking.js';
import { RecordProcessor } from './record-processor.js';
import { RetrySchedule } from './retry-schedule.js';

const logger = createLogger({ name: 'processor-test', level: 'silent' });
const group = 'stats';
const retryTopic = 'items.stats.retry';

let dispose: (() => Promise<void>) | undefined;
beforeAll(() => preparePglite());
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

type Handle = (event: ItemAdded, context: EventContext) => Promise<void>;

/** A processor of group `stats` handling ItemAdded with `handle` (ItemRemoved known, unhandled). */
async function processor(handle: Handle, { withDatabase = true } = {}) {
  let db: Database | undefined;
  if (withDatabase) {
    const opened = await eventDatabase();
    dispose = () => opened.dispose();
    db = opened.db;
  }
  const registry = new Registry();
  const metrics = consumerMetrics(registry, group);
  const { publisher, published, fail } = recordingPublisher();
  const stop = new AbortController();
  const processed = new RecordProcessor({
    handlers: [on(itemAdded, handle)],
    knownTypes: [itemAdded, itemRemoved],
    retryTopics: new Map([[retryTopic, 'items']]),
    attempt: { group, db, timeoutMs: 30_000, signal: new AbortController().signal, stopping: stop.signal },
    schedule: new RetrySchedule(
      { handlerAttempts: 3, backoffMs: 1, retryDelaysMs: [1_000, 10_000] },
      { stopping: stop.signal },
    ),
    parking: new RecordParking({ group, publisher, metrics, logger }),
    metrics,
    logger,
  });
  async function outcomes() {
    const metric = await registry.getSingleMetric('events_processed_total')?.get();
    return metric?.values.map(
      ({ labels, value }) => `${String(labels['outcome'])} ${String(labels['type'])} ${value}`,
    );
  }
  return { processed, published, fail, stop, db, outcomes, registry };
}

const writeEffect: Handle = async (_event, { tx, envelope }) => {
  await tx?.execute(sql`insert into effects (event_id) values (${envelope.id})`);
};

describe('RecordProcessor', () => {
  it('applies an event once: decoded, handled with its context in the inbox transaction', async () => {
    const seen: [ItemAdded, number, string][] = [];
    const { processed, db, outcomes, published } = await processor(async (event, context) => {
      seen.push([event, context.attempt, context.topic]);
      await writeEffect(event, context);
    });
    expect(await processed.process(itemRecord('i-1'))).toBe(true);
    expect(await processed.process(itemRecord('i-1', { offset: '1' }))).toBe(true);
    expect(seen).toEqual([[{ itemId: 'i-1' }, 1, 'items']]);
    expect(await committed(db as Database)).toEqual({ effects: ['event-i-1'], inbox: ['stats/event-i-1'] });
    expect(await outcomes()).toEqual([`handled ${itemAdded.type} 1`, `duplicate ${itemAdded.type} 1`]);
    expect(published).toEqual([]);
  });

  it('skips a known type it has no handler for, and dead-letters an unknown one', async () => {
    const { processed, published, outcomes } = await processor(writeEffect);
    expect(await processed.process(itemRecord('i-1', { type: itemRemoved.type }))).toBe(true);
    expect(await processed.process(itemRecord('i-2', { type: 'test.items.v1.ItemShipped' }))).toBe(true);
    expect(published.map((record) => [record.topic, record.headers[deadLetterHeaders.reason]])).toEqual([
      ['items.stats.dlt', 'unknown-type'],
    ]);
    expect(await outcomes()).toEqual([
      `ignored ${itemRemoved.type} 1`,
      'dead_lettered test.items.v1.ItemShipped 1',
    ]);
  });

  it('dead-letters a record without an envelope and one whose bytes do not decode, attempts 0', async () => {
    let ran = false;
    const { processed, published } = await processor(async () => void (ran = true));
    const bare = { ...itemRecord('i-1'), headers: {} };
    const garbled = itemRecord('i-2');
    await processed.process(bare);
    await processed.process({
      ...garbled,
      message: { ...garbled.message, value: Buffer.from([0xff, 0x00]) },
    });
    expect(
      published.map((record) => [
        record.headers[deadLetterHeaders.reason],
        record.headers[deadLetterHeaders.attempts],
      ]),
    ).toEqual([
      ['invalid-envelope', '0'],
      ['undecodable', '0'],
    ]);
    expect(ran).toBe(false);
  });

  it('retries a transient failure in process, then applies the event', async () => {
    let failures = 0;
    const attempts: number[] = [];
    const { processed, db, published, registry } = await processor(async (event, context) => {
      attempts.push(context.attempt);
      if (failures++ < 2) throw new Error('briefly down');
      await writeEffect(event, context);
    });
    expect(await processed.process(itemRecord('i-1'))).toBe(true);
    expect(attempts).toEqual([1, 2, 3]);
    expect((await committed(db as Database)).effects).toEqual(['event-i-1']);
    expect(published).toEqual([]);
    const retried = await registry.getSingleMetric('events_retried_total')?.get();
    expect(retried?.values).toMatchObject([{ labels: { stage: 'in_process' }, value: 2 }]);
  });

  it('rolls back the inbox row of each failed attempt', async () => {
    const { processed, db } = await processor(async (event, context) => {
      await writeEffect(event, context);
      throw new Error('fails after writing');
    });
    await processed.process(itemRecord('i-1'));
    expect(await committed(db as Database)).toEqual({ effects: [], inbox: [] });
  });

  it('sends a record whose attempts ran out through the retry topic, then after the last pass to the dead-letter topic', async () => {
    const attempts: number[] = [];
    const { processed, published, outcomes } = await processor(async (_event, context) => {
      attempts.push(context.attempt);
      throw new Error('downstream keeps failing');
    });
    await processed.process(itemRecord('i-1', { offset: '7' }));
    expect(published[0]?.topic).toBe(retryTopic);
    expect(published[0]?.headers).toMatchObject({
      [retryHeaders.pass]: '1',
      [retryHeaders.attempts]: '3',
      [retryHeaders.originalTopic]: 'items',
      [retryHeaders.originalOffset]: '7',
    });

    // The second and last pass, as the retry topic delivers them (at offsets of its own).
    const fromRetryTopic = (offset: number) =>
      itemRecord('i-1', {
        topic: retryTopic,
        offset: String(offset),
        extra: { ...published[offset]?.headers },
      });
    await processed.process(fromRetryTopic(0));
    await processed.process(fromRetryTopic(1));
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(published.map((record) => record.topic)).toEqual([retryTopic, retryTopic, 'items.stats.dlt']);
    expect(published[2]?.headers).toMatchObject({
      ce_id: 'event-i-1',
      [deadLetterHeaders.reason]: 'retries-exhausted',
      [deadLetterHeaders.attempts]: '9',
      [deadLetterHeaders.originalTopic]: 'items',
      [deadLetterHeaders.originalOffset]: '7',
      [deadLetterHeaders.error]: 'Error: downstream keeps failing',
    });
    expect(await outcomes()).toEqual([`retried ${itemAdded.type} 2`, `dead_lettered ${itemAdded.type} 1`]);
  });

  it('dead-letters a permanent failure at once', async () => {
    const attempts: number[] = [];
    const { processed, published } = await processor(async (_event, context) => {
      attempts.push(context.attempt);
      throw new PermanentEventError('the item can never be added');
    });
    await processed.process(itemRecord('i-1'));
    expect(attempts).toEqual([1]);
    expect(published.map((record) => [record.topic, record.headers[deadLetterHeaders.reason]])).toEqual([
      ['items.stats.dlt', 'permanent-error'],
    ]);
    expect(published[0]?.headers[deadLetterHeaders.attempts]).toBe('1');
  });

  it('leaves a record whose handler gave up on the stop unresolved, parked nowhere', async () => {
    const { processed, published, stop, outcomes } = await processor(async (_event, context) => {
      stop.abort(new Error('the consumer is stopping'));
      throw context.stopping.reason;
    });
    expect(await processed.process(itemRecord('i-1'))).toBe(false);
    expect(published).toEqual([]);
    expect(await outcomes()).toEqual([]);
  });

  it('rejects when a record cannot be parked, so its offset is not resolved', async () => {
    const { processed, fail } = await processor(async () => {
      throw new PermanentEventError('never');
    });
    const refused = new Error('not enough replicas');
    fail(refused);
    await expect(processed.process(itemRecord('i-1'))).rejects.toBe(refused);
  });

  it('runs handlers of a database-less consumer without a transaction', async () => {
    const transactions: unknown[] = [];
    const { processed, outcomes } = await processor(async (_event, { tx }) => void transactions.push(tx), {
      withDatabase: false,
    });
    await processed.process(itemRecord('i-1'));
    await processed.process(itemRecord('i-1'));
    // No inbox: a redelivery runs the handler again, which must be idempotent itself.
    expect(transactions).toEqual([undefined, undefined]);
    expect(await outcomes()).toEqual([`handled ${itemAdded.type} 2`]);
  });
});
