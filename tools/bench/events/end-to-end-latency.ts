// Child process: the path of one CreateOrder's event at a fixed open-loop rate, in one process
// on PGlite. The order side (orders + outbox in its database, the OutboxRelay woken by NOTIFY)
// and the user side (an EventConsumer with its inbox and an order-stats projection in another
// database, as the user service runs it). Each order is a transaction that inserts the order
// row, announces it (NOTIFY, as WatchOrder's feed) and records OrderCreated, as OrderBook.create
// does. Latency: handler done - commit, split at the moment Kafka acknowledged the record.
import { openDatabase, withTransaction, type Database } from '@platform/db';
import {
  createKafkaPublisher,
  ensureTopics,
  EventConsumer,
  migrateEventTables,
  on,
  OutboxRelay,
  recordEvent,
  type EventPublisher,
} from '@platform/events';
import { sql } from 'drizzle-orm';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { coresBusySince, coreTimes } from '../shared/cpu-time.js';
import { childLogger, childOptions, cpuMsSince, nowMs, reportResult } from './bench-child.js';
import { benchOrder } from './bench-order.js';
import { freshDatabase } from './fresh-database.js';
import { percentiles, type Percentiles } from './percentiles.js';
import { OrderCreated, orderCreated } from '@platform/proto';

export interface LatencyOptions {
  brokers: string[];
  /** Topic and group prefix of this run. */
  namespace: string;
  rate: number;
  durationS: number;
  warmupS: number;
  /** PostgreSQL server (two fresh databases on it), else PGlite: two databases in `dir`. */
  url?: string;
  dir: string;
}

export interface LatencyResult {
  database: 'pglite' | 'postgres';
  rate: number;
  orders: number;
  /** Orders committed per second over the measured phase. */
  achievedRate: number;
  failed: number;
  /** Measured events not handled within 60 s of the end. */
  missing: number;
  /** Commit to handler done. */
  endToEnd: Percentiles;
  /** Commit to Kafka's acknowledgement of the relay's batch. */
  commitToPublished: Percentiles;
  /** Kafka's acknowledgement to handler done. */
  publishedToHandled: Percentiles;
  /** Scheduled start to commit: whether the writer kept the rate. */
  scheduleToCommit: Percentiles;
  relayBatches: number;
  meanRelayBatch: number;
  cpuUsPerOrder: number;
  /** Share of each CPU of the machine busy over the measured phase (everything on it, not only this process). */
  coresBusy: number[];
}

const options = childOptions<LatencyOptions>();
const { brokers, namespace } = options;

const open = async (name: string): Promise<Database> =>
  options.url
    ? openDatabase({ url: await freshDatabase(options.url, name) })
    : openDatabase({ dataDir: join(options.dir, name) });
const orderDb = await open('order');
const userDb = await open('user');
for (const db of [orderDb, userDb]) await migrateEventTables(db);
await orderDb.execute(sql`create table orders (
  id uuid primary key, user_id uuid not null, request_id text not null, items jsonb not null,
  currency_code char(3) not null, total_minor bigint not null, status text not null,
  version bigint not null, create_time timestamptz(3) not null, update_time timestamptz(3) not null,
  unique (user_id, request_id))`);
await userDb.execute(sql`create table user_order_stats (
  user_id uuid primary key, order_count bigint not null default 0, last_order_time timestamptz(3))`);
await ensureTopics({ brokers, clientId: 'events-bench.admin' }, [
  { ...orderCreated.topic, name: namespace + orderCreated.topic.name },
]);

let measuring = false;
const committedAt = new Map<string, number>();
const scheduleToCommit: number[] = [];
const publishedAt = new Map<string, number>();
const handledAt = new Map<string, number>();
let handled = 0;
let relayBatches = 0;
let relayRecords = 0;

const kafkaPublisher = createKafkaPublisher({ brokers, clientId: 'events-bench.relay' });
const publisher: EventPublisher = {
  async publish(records) {
    await kafkaPublisher.publish(records);
    const at = nowMs();
    if (measuring) {
      relayBatches += 1;
      relayRecords += records.length;
    }
    for (const record of records) publishedAt.set(record.headers['ce_id'] ?? '', at);
  },
  close: () => kafkaPublisher.close(),
};
const relay = new OutboxRelay({
  db: orderDb,
  publisher,
  source: '/platform/order-service',
  logger: childLogger,
  topics: [orderCreated.topic],
  namespace,
});
const consumer = new EventConsumer({
  group: 'user-service.order-stats',
  namespace,
  kafka: { brokers, clientId: 'events-bench.consumer' },
  db: userDb,
  logger: childLogger,
  handlers: [
    on(orderCreated, async (event, context) => {
      const order = event.order;
      await context.tx?.execute(sql`
        insert into user_order_stats (user_id, order_count, last_order_time)
        values (${order?.userId}, 1, ${new Date()})
        on conflict (user_id) do update set order_count = user_order_stats.order_count + 1,
          last_order_time = greatest(user_order_stats.last_order_time, excluded.last_order_time)`);
      handled += 1;
      handledAt.set(context.envelope.id, nowMs());
    }),
  ],
});

/** One CreateOrder's transaction: the order row and its event (the outbox's trigger wakes the relay). */
function createOrder(): Promise<string> {
  const order = benchOrder();
  return withTransaction(orderDb, async (tx) => {
    await tx.execute(sql`
      insert into orders (id, user_id, request_id, items, currency_code, total_minor, status, version, create_time, update_time)
      values (${order.id}, ${order.userId}, ${order.requestId}, ${JSON.stringify(order.items)}::jsonb, 'EUR', 625,
              'pending', 1, now(), now())
      on conflict do nothing`);
    return recordEvent(tx, orderCreated, order.id, OrderCreated.create({ order }));
  });
}

let failed = 0;

/** Starts `rate` orders a second for `seconds`, each on time whether or not earlier ones are done (open loop). */
async function load(seconds: number): Promise<{ orders: number; seconds: number }> {
  const total = Math.round(options.rate * seconds);
  const start = nowMs();
  const inFlight = new Set<Promise<void>>();
  let lastCommit = start;
  for (let issued = 0; issued < total;) {
    const due = Math.min(total, Math.floor(((nowMs() - start) * options.rate) / 1000) + 1);
    for (; issued < due; issued += 1) {
      const scheduled = start + (issued * 1000) / options.rate;
      const done = createOrder().then(
        (id) => {
          lastCommit = nowMs();
          if (!measuring) return;
          committedAt.set(id, lastCommit);
          scheduleToCommit.push(lastCommit - scheduled);
        },
        () => void (failed += 1),
      );
      inFlight.add(done);
      void done.finally(() => inFlight.delete(done));
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  return { orders: total, seconds: (lastCommit - start) / 1000 };
}

async function until(what: string, done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = nowMs() + timeoutMs;
  while (!done()) {
    if (nowMs() > deadline) {
      childLogger.warn(`timed out waiting for ${what}`);
      return false;
    }
    await sleep(20);
  }
  return true;
}

relay.start();
await consumer.start();
// Warm-up: the group joined, JIT and caches warm, every warm-up event handled.
const warm = await load(options.warmupS);
if (!(await until('the warm-up events', () => handled >= warm.orders, 60_000))) {
  throw new Error(`only ${handled} of ${warm.orders} warm-up events handled`);
}
measuring = true;
const cpuBefore = process.cpuUsage();
const coresBefore = coreTimes();
const run = await load(options.durationS);
const cpuMs = cpuMsSince(cpuBefore);
const coresBusy = coresBusySince(coresBefore);
await until('the measured events', () => [...committedAt.keys()].every((id) => handledAt.has(id)), 60_000);
measuring = false;

const spans = (from: Map<string, number>, to: Map<string, number>) =>
  [...committedAt.keys()].flatMap((id) => {
    const start = from.get(id);
    const end = to.get(id);
    return start !== undefined && end !== undefined ? [end - start] : [];
  });
const result: LatencyResult = {
  database: options.url ? 'postgres' : 'pglite',
  rate: options.rate,
  orders: run.orders,
  achievedRate: committedAt.size / run.seconds,
  failed,
  missing: [...committedAt.keys()].filter((id) => !handledAt.has(id)).length,
  endToEnd: percentiles(spans(committedAt, handledAt)),
  commitToPublished: percentiles(spans(committedAt, publishedAt)),
  publishedToHandled: percentiles(spans(publishedAt, handledAt)),
  scheduleToCommit: percentiles(scheduleToCommit),
  relayBatches,
  meanRelayBatch: relayRecords / Math.max(1, relayBatches),
  cpuUsPerOrder: (cpuMs * 1000) / run.orders,
  coresBusy,
};
await Promise.race([
  (async () => {
    await consumer.stop();
    await relay.stop();
    await publisher.close();
    await Promise.all([orderDb.close(), userDb.close()]);
  })(),
  sleep(15_000),
]).catch(() => undefined);
reportResult(result);
