// The event layer end to end on a real Kafka broker (TEST_KAFKA_BROKERS) and both databases:
// outbox -> relay -> topic -> consumer runtime (inbox, retries, retry topic, dead-letter topic).
import { withTransaction, type Database } from '@platform/db';
import { databaseTargets, preparePglite, type OpenedDatabase } from '@platform/db/testing';
import { createLogger } from '@platform/observability';
import { OrderCreated, OrderStatus, type Order } from '@platform/proto';
import { readTopic, testKafkaBrokers, waitFor } from '@platform/testing';
import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cloudEventHeaders,
  createKafkaPublisher,
  deadLetterHeaders,
  defineEventType,
  ensureTopics,
  EventConsumer,
  migrateEventTables,
  on,
  OutboxRelay,
  PermanentEventError,
  recordEvent,
  type EventContext,
  type TopicSpec,
} from '../src/index.js';

const brokers = testKafkaBrokers();
const logger = createLogger({ name: 'events-test', level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function order(id: string, userId = randomUUID()): Order {
  return {
    id,
    userId,
    requestId: randomUUID(),
    items: [{ sku: 'SKU-1', quantity: 2, unitPriceMinor: '9007199254740993' }],
    currencyCode: 'EUR',
    totalMinor: '18014398509481986',
    status: OrderStatus.ORDER_STATUS_PENDING,
    version: '1',
    createTime: { seconds: '1700000000', nanos: 0 },
    updateTime: { seconds: '1700000000', nanos: 0 },
    cancelReason: '',
  } as unknown as Order;
}

async function count(db: Database, query: ReturnType<typeof sql>): Promise<number> {
  return Number((await db.execute<{ n: string | number }>(query)).rows[0]?.n ?? 0);
}

describe.each(databaseTargets)('event layer on $name', (target) => {
  beforeAll(() => preparePglite());

  /** A fresh database with the event tables and an `effects` table, and a namespaced topic of `partitions`. */
  async function setup(partitions = 3) {
    const opened: OpenedDatabase = await target.open();
    cleanups.push(() => opened.dispose());
    const { db } = opened;
    await migrateEventTables(db);
    await db.execute(sql`create table effects (event_id text not null, order_id text not null)`);
    const namespace = `t${randomUUID().slice(0, 8)}.`;
    const topic: TopicSpec = { name: 'orders', aggregateType: 'order', partitions, retentionMs: 3_600_000 };
    await ensureTopics({ brokers, clientId: 'test' }, [{ ...topic, name: namespace + topic.name }]);
    const created = defineEventType('platform.order.v1.OrderCreated', topic, OrderCreated);
    const registry = new Registry();
    const relay = new OutboxRelay({
      db,
      publisher: createKafkaPublisher({ brokers, clientId: 'relay' }),
      source: '/platform/test',
      logger,
      registry,
      topics: [topic],
      namespace,
      pollIntervalMs: 100,
    });
    cleanups.push(() => relay.stop());
    const topicName = namespace + topic.name;
    return { db, namespace, topic, topicName, created, relay, registry };
  }

  type Setup = Awaited<ReturnType<typeof setup>>;

  async function startConsumer(
    env: Setup,
    handle: (event: OrderCreated, context: EventContext) => Promise<void>,
    options: { retryDelaysMs?: number[]; handlerAttempts?: number } = {},
  ) {
    const consumer = new EventConsumer({
      group: 'effects',
      namespace: env.namespace,
      kafka: { brokers, clientId: 'consumer' },
      handlers: [
        on(env.created, async (event, context) => {
          await handle(event, context);
          await context.tx?.execute(
            sql`insert into effects (event_id, order_id) values (${context.envelope.id}, ${event.order?.id ?? ''})`,
          );
        }),
      ],
      db: env.db,
      logger,
      registry: env.registry,
      backoffMs: 10,
      retryDelaysMs: options.retryDelaysMs ?? [200, 200],
      handlerAttempts: options.handlerAttempts ?? 3,
    });
    cleanups.push(() => consumer.stop());
    await consumer.start();
    return consumer;
  }

  async function record(env: Setup, orderId: string, rollback = false): Promise<string> {
    let id = '';
    await withTransaction(env.db, async (tx) => {
      id = await recordEvent(tx, env.created, orderId, OrderCreated.create({ order: order(orderId) }));
      if (rollback) throw new Error('rolled back');
    }).catch((error: Error) => {
      if (!rollback) throw error;
    });
    return id;
  }

  it.skipIf(target.skip)(
    'publishes committed events with CloudEvents headers, in order per key, and applies each once',
    async () => {
      const env = await setup();
      env.relay.start();
      await startConsumer(env, async () => undefined);
      const orderIds = Array.from({ length: 5 }, () => randomUUID());
      const ids: string[] = [];
      for (let round = 0; round < 4; round++) {
        for (const orderId of orderIds) ids.push(await record(env, orderId));
      }
      const rolledBack = await record(env, randomUUID(), true);

      await waitFor('20 effects', async () =>
        (await count(env.db, sql`select count(*) as n from effects`)) === 20 ? true : undefined,
      );
      const records = await readTopic(brokers, env.topicName);
      expect(records).toHaveLength(20);
      expect(records.map((r) => r.headers['ce_id']).sort()).toEqual([...ids].sort());
      expect(records.some((r) => r.headers['ce_id'] === rolledBack)).toBe(false);
      const first = records.find((r) => r.headers['ce_id'] === ids[0]);
      expect(first?.key?.toString()).toBe(orderIds[0]);
      expect(first?.headers).toMatchObject({
        ce_specversion: '1.0',
        ce_type: 'platform.order.v1.OrderCreated',
        ce_source: '/platform/test',
        ce_subject: orderIds[0],
        'content-type': 'application/protobuf',
      });
      expect(new Date(first?.headers['ce_time'] ?? '').getTime()).not.toBeNaN();
      expect(OrderCreated.decode(first?.value ?? Buffer.alloc(0)).order?.totalMinor).toBe(
        '18014398509481986',
      );
      // Per key, the partition holds the events in the order they were recorded.
      for (const orderId of orderIds) {
        const ofKey = records.filter((r) => r.key?.toString() === orderId);
        expect(new Set(ofKey.map((r) => r.partition)).size).toBe(1);
        const expected = ids.filter((_id, index) => orderIds[index % 5] === orderId);
        expect(
          ofKey.sort((a, b) => Number(a.offset) - Number(b.offset)).map((r) => r.headers['ce_id']),
        ).toEqual(expected);
      }
      expect(await count(env.db, sql`select count(*) as n from outbox where published_at is null`)).toBe(0);
      expect(await env.relay.backlog()).toEqual({ size: 0, oldestAgeSeconds: 0 });
      expect(await count(env.db, sql`select count(*) as n from event_inbox`)).toBe(20);
    },
  );

  it.skipIf(target.skip)('retries a transient failure in process and applies the event once', async () => {
    const env = await setup();
    env.relay.start();
    const failures = new Map<string, number>();
    await startConsumer(env, async (event) => {
      const id = event.order?.id ?? '';
      const failed = failures.get(id) ?? 0;
      if (failed < 2) {
        failures.set(id, failed + 1);
        throw new Error('database briefly unavailable');
      }
    });
    const orderId = randomUUID();
    await record(env, orderId);
    await waitFor('the effect', async () =>
      (await count(env.db, sql`select count(*) as n from effects`)) === 1 ? true : undefined,
    );
    expect(failures.get(orderId)).toBe(2);
    const retried = await env.registry.getSingleMetric('events_retried_total')?.get();
    expect(retried?.values.find((v) => v.labels['stage'] === 'in_process')?.value).toBe(2);
  });

  it.skipIf(target.skip)(
    'sends an always-failing event through the retry topic to the dead-letter topic while the partition flows',
    async () => {
      const env = await setup(1);
      env.relay.start();
      const attempts: number[] = [];
      const poison = randomUUID();
      await startConsumer(env, async (event, context) => {
        if (event.order?.id === poison) {
          attempts.push(context.attempt);
          throw new Error('downstream keeps failing');
        }
      });
      const poisonId = await record(env, poison);
      const after = await Promise.all(Array.from({ length: 5 }, () => record(env, randomUUID())));
      await waitFor('the later events', async () =>
        (await count(env.db, sql`select count(*) as n from effects`)) === 5 ? true : undefined,
      );
      const dlt = await waitFor('the dead-lettered event', async () => {
        const found = await readTopic(brokers, `${env.topicName}.${env.namespace}effects.dlt`);
        return found.length ? found : undefined;
      });
      expect(dlt).toHaveLength(1);
      expect(dlt[0]?.key?.toString()).toBe(poison);
      expect(dlt[0]?.headers).toMatchObject({
        ce_id: poisonId,
        ce_type: 'platform.order.v1.OrderCreated',
        [deadLetterHeaders.originalTopic]: env.topicName,
        [deadLetterHeaders.originalPartition]: '0',
        [deadLetterHeaders.originalOffset]: '0',
        [deadLetterHeaders.attempts]: '9',
        [deadLetterHeaders.reason]: 'retries-exhausted',
        [deadLetterHeaders.group]: `${env.namespace}effects`,
      });
      expect(dlt[0]?.headers[deadLetterHeaders.error]).toContain('downstream keeps failing');
      expect(OrderCreated.decode(dlt[0]?.value ?? Buffer.alloc(0)).order?.id).toBe(poison);
      expect(attempts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(after).toHaveLength(5);
      const retryTopic = await readTopic(brokers, `${env.topicName}.${env.namespace}effects.retry`);
      expect(retryTopic).toHaveLength(2);
    },
  );

  it.skipIf(target.skip)('dead-letters a permanent failure at once', async () => {
    const env = await setup(1);
    env.relay.start();
    await startConsumer(env, async () => {
      throw new PermanentEventError('the order can never be fulfilled');
    });
    await record(env, randomUUID());
    const dlt = await waitFor('the dead-lettered event', async () => {
      const found = await readTopic(brokers, `${env.topicName}.${env.namespace}effects.dlt`);
      return found.length ? found : undefined;
    });
    expect(dlt[0]?.headers[deadLetterHeaders.reason]).toBe('permanent-error');
    expect(dlt[0]?.headers[deadLetterHeaders.attempts]).toBe('1');
  });

  it.skipIf(target.skip)(
    'dead-letters poison records (bad bytes, unknown type, no envelope) and keeps handling the partition',
    async () => {
      const env = await setup(1);
      await startConsumer(env, async () => undefined);
      const publisher = createKafkaPublisher({ brokers, clientId: 'poison' });
      cleanups.push(() => publisher.close());
      const headers = (type: string) =>
        cloudEventHeaders({ id: randomUUID(), type, source: '/test', subject: 'x', time: new Date() });
      const good = randomUUID();
      await publisher.publish([
        {
          topic: env.topicName,
          key: 'a',
          value: Buffer.from([0xff, 0xff, 0xff]),
          headers: headers(env.created.type),
        },
        {
          topic: env.topicName,
          key: 'b',
          value: Buffer.from('{}'),
          headers: headers('platform.order.v1.OrderShipped'),
        },
        { topic: env.topicName, key: 'c', value: Buffer.from('plain text'), headers: {} },
        {
          topic: env.topicName,
          key: good,
          value: Buffer.from(OrderCreated.encode(OrderCreated.create({ order: order(good) })).finish()),
          headers: headers(env.created.type),
        },
      ]);
      await waitFor('the good event', async () =>
        (await count(env.db, sql`select count(*) as n from effects`)) === 1 ? true : undefined,
      );
      const dlt = await waitFor('three dead-lettered records', async () => {
        const found = await readTopic(brokers, `${env.topicName}.${env.namespace}effects.dlt`);
        return found.length === 3 ? found : undefined;
      });
      expect(dlt.map((r) => [r.key?.toString(), r.headers[deadLetterHeaders.reason]])).toEqual([
        ['a', 'undecodable'],
        ['b', 'unknown-type'],
        ['c', 'invalid-envelope'],
      ]);
      expect(dlt[2]?.value?.toString()).toBe('plain text');
    },
  );

  it.skipIf(target.skip)('skips a second delivery of the same event id', async () => {
    const env = await setup(1);
    const handled: string[] = [];
    await startConsumer(env, async (event) => {
      handled.push(event.order?.id ?? '');
    });
    const publisher = createKafkaPublisher({ brokers, clientId: 'dup' });
    cleanups.push(() => publisher.close());
    const orderId = randomUUID();
    const record = {
      topic: env.topicName,
      key: orderId,
      value: Buffer.from(OrderCreated.encode(OrderCreated.create({ order: order(orderId) })).finish()),
      headers: cloudEventHeaders({
        id: randomUUID(),
        type: env.created.type,
        source: '/test',
        subject: orderId,
        time: new Date(),
      }),
    };
    await publisher.publish([record, record]);
    await publisher.publish([record]);
    await waitFor('three records processed', async () => {
      const metric = await env.registry.getSingleMetric('events_processed_total')?.get();
      const total = metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
      return total === 3 ? metric : undefined;
    });
    expect(await count(env.db, sql`select count(*) as n from effects`)).toBe(1);
    expect(handled).toEqual([orderId]);
  });
  it.skipIf(target.skip)(
    'leaves an event whose handler gives up when the consumer stops for the group, which applies it once',
    async () => {
      const env = await setup(1);
      env.relay.start();
      let entered!: () => void;
      const waiting = new Promise<void>((resolve) => (entered = resolve));
      // A handler that only waits (like the fulfillment worker's simulated work) until the stop.
      const first = await startConsumer(env, (_event, context) => {
        entered();
        return new Promise((_resolve, reject) => {
          context.stopping.addEventListener('abort', () => reject(context.stopping.reason as Error), {
            once: true,
          });
        });
      });
      const orderId = randomUUID();
      await record(env, orderId);
      await waiting;
      await first.stop();
      expect(await count(env.db, sql`select count(*) as n from effects`)).toBe(0);

      const handled: string[] = [];
      await startConsumer(env, async (event) => {
        handled.push(event.order?.id ?? '');
      });
      await waitFor('the effect', async () =>
        (await count(env.db, sql`select count(*) as n from effects`)) === 1 ? true : undefined,
      );
      expect(handled).toEqual([orderId]);
      // Given up, not failed: neither the retry topic nor the dead-letter topic has it.
      const parked = await Promise.all(
        ['retry', 'dlt'].map((kind) =>
          readTopic(brokers, `${env.topicName}.${env.namespace}effects.${kind}`),
        ),
      );
      expect(parked).toEqual([[], []]);
    },
  );
});

describe('a consumer crash kafkajs does not restart from', () => {
  it("is logged once at error (kafkajs's own crash lines at debug) and reaches onFatal", async () => {
    const lines: { level: string; msg: string; component?: string }[] = [];
    const captured = createLogger({
      name: 'events-test',
      level: 'debug',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[0]) },
    });
    const namespace = `t${randomUUID().slice(0, 8)}.`;
    const topic: TopicSpec = { name: 'crash', aggregateType: 'order', partitions: 1, retentionMs: 3_600_000 };
    await ensureTopics({ brokers, clientId: 'test' }, [{ ...topic, name: namespace + topic.name }]);
    const fatal: Error[] = [];
    const consumer = new EventConsumer({
      group: 'crash',
      namespace,
      kafka: { brokers, clientId: 'crash', logger: captured },
      handlers: [
        on(defineEventType('platform.order.v1.OrderCreated', topic, OrderCreated), async () => undefined),
      ],
      logger: captured,
      // Below the broker's group.min.session.timeout.ms (6 s): JoinGroup answers
      // INVALID_SESSION_TIMEOUT, which kafkajs does not retry.
      sessionTimeoutMs: 1_000,
      onFatal: (error) => fatal.push(error),
    });
    cleanups.push(() => consumer.stop());
    await consumer.start();
    await waitFor('the fatal path', async () => (fatal.length ? fatal : undefined));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.message).toMatch(/session timeout/i);
    const errors = lines.filter((line) => line.level === 'error' || line.level === 'fatal');
    expect(errors.map((line) => line.msg)).toEqual(['event consumer crashed']);
    expect(lines.filter((line) => line.msg.startsWith('Crash: ')).map((line) => line.level)).toEqual([
      'debug',
    ]);
  });
});
