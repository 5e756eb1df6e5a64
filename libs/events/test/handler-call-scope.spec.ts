// A Kafka handler's call scope on the real consumer (TEST_KAFKA_BROKERS): a transaction the
// handler opens with no options of its own inherits the attempt's time budget and the consumer's
// stop, as one opened in a gRPC handler inherits the call's deadline and cancellation.
import { currentScope, remainingMs } from '@platform/core';
import { TransactionCancelledError, withTransaction, type Database } from '@platform/db';
import { preparePglite, pgliteTarget } from '@platform/db/testing';
import { createLogger } from '@platform/observability';
import { OrderCreated, type Order } from '@platform/proto';
import { testKafkaBrokers, waitFor } from '@platform/testing';
import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudEventHeaders,
  createKafkaPublisher,
  defineEventType,
  ensureTopics,
  EventConsumer,
  on,
  type EventConsumerOptions,
  type TopicSpec,
} from '../src/index.js';

const brokers = testKafkaBrokers();
const logger = createLogger({ name: 'events-test', level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeAll(() => preparePglite());

const topic: TopicSpec = { name: 'orders', aggregateType: 'order', partitions: 1, retentionMs: 3_600_000 };
const created = defineEventType('platform.order.v1.OrderCreated', topic, OrderCreated);

/** What the handler saw of its scope, and how its own transaction ended. */
interface Observed {
  scope?: { name: string | undefined; remainingMs: number };
  transaction?: unknown;
}

/**
 * A database-less consumer on a fresh namespace whose handler writes to a database of its own in
 * `withTransaction(db, …)` with no options, then waits until the transaction is cancelled;
 * one OrderCreated is published to it.
 */
async function consumeWithOwnTransaction(options: Partial<EventConsumerOptions>) {
  const opened = await pgliteTarget.open();
  cleanups.push(() => opened.dispose());
  const db: Database = opened.db;
  await db.execute(sql`create table effects (order_id text not null)`);
  const namespace = `t${randomUUID().slice(0, 8)}.`;
  await ensureTopics({ brokers, clientId: 'test' }, [{ ...topic, name: namespace + topic.name }]);
  const observed: Observed = {};
  let entered!: () => void;
  const inTransaction = new Promise<void>((resolve) => (entered = resolve));
  const consumer = new EventConsumer({
    group: 'scope',
    namespace,
    kafka: { brokers, clientId: 'scope' },
    handlers: [
      on(created, async (event) => {
        observed.scope = { name: currentScope()?.name, remainingMs: remainingMs() };
        await withTransaction(db, async (tx) => {
          await tx.execute(sql`insert into effects (order_id) values (${event.order?.id ?? ''})`);
          entered();
          await new Promise(() => undefined);
        }).catch((error: unknown) => {
          observed.transaction = error;
          throw error;
        });
      }),
    ],
    logger,
    handlerAttempts: 1,
    retryDelaysMs: [],
    ...options,
  });
  cleanups.push(() => consumer.stop());
  await consumer.start();
  const publisher = createKafkaPublisher({ brokers, clientId: 'scope-publisher' });
  cleanups.push(() => publisher.close());
  const orderId = randomUUID();
  await publisher.publish([
    {
      topic: namespace + topic.name,
      key: orderId,
      value: Buffer.from(
        OrderCreated.encode(OrderCreated.create({ order: { id: orderId } as Order })).finish(),
      ),
      headers: cloudEventHeaders({
        id: randomUUID(),
        type: created.type,
        source: '/test',
        subject: orderId,
        time: new Date(),
      }),
    },
  ]);
  const effects = async () => (await db.execute(sql`select count(*)::int as n from effects`)).rows[0];
  return { consumer, observed, inTransaction, effects, namespace };
}

describe("a transaction opened in a Kafka handler (the attempt's call scope)", () => {
  it('is cancelled when the attempt runs out of its time budget, and nothing commits', async () => {
    const { observed, inTransaction, effects, namespace } = await consumeWithOwnTransaction({
      handlerTimeoutMs: 1_000,
    });
    await inTransaction;
    const failure = await waitFor('the cancelled transaction', async () => observed.transaction);
    expect(failure).toBeInstanceOf(TransactionCancelledError);
    expect(observed.scope?.name).toBe(`${namespace}scope/platform.order.v1.OrderCreated`);
    expect(observed.scope?.remainingMs).toBeGreaterThan(0);
    expect(observed.scope?.remainingMs).toBeLessThanOrEqual(1_000);
    expect(await effects()).toEqual({ n: 0 });
  });

  it("is cancelled when the consumer's stop runs out of time, and nothing commits", async () => {
    const { consumer, observed, inTransaction, effects } = await consumeWithOwnTransaction({
      shutdownTimeoutMs: 200,
    });
    await inTransaction;
    expect(observed.transaction).toBeUndefined();
    await consumer.stop();
    expect(observed.transaction).toBeInstanceOf(TransactionCancelledError);
    expect((observed.transaction as TransactionCancelledError).kind).toBe('aborted');
    expect((observed.transaction as Error).message).toContain('shutdown timeout');
    expect(await effects()).toEqual({ n: 0 });
  });
});
