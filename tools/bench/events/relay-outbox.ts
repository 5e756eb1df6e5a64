// Child process: fills an outbox with `events` OrderCreated events (recordEvent, `perTransaction`
// to a transaction), then starts an OutboxRelay with a real Kafka publisher and reports
// events/s from its start until the backlog is 0.
import { openDatabase, withTransaction, type Database } from '@platform/db';
import {
  createKafkaPublisher,
  ensureTopics,
  migrateEventTables,
  OutboxRelay,
  recordEvent,
  type EventPublisher,
} from '@platform/events';
import { setTimeout as sleep } from 'node:timers/promises';
import { childLogger, childOptions, cpuMsSince, nowMs, reportResult } from './bench-child.js';
import { benchOrder } from './bench-order.js';
import { freshDatabase } from './fresh-database.js';
import { OrderCreated, orderCreated } from '@platform/proto';

export interface RelayOptions {
  brokers: string[];
  /** Topic prefix of this run (a fresh topic). */
  namespace: string;
  events: number;
  perTransaction: number;
  batchSize: number;
  /** PostgreSQL, else PGlite in `dataDir`. */
  url?: string;
  dataDir?: string;
}

export interface RelayResult {
  database: 'pglite' | 'postgres';
  events: number;
  batchSize: number;
  fillSeconds: number;
  seconds: number;
  perSecond: number;
  cpuUsPerEvent: number;
}

const options = childOptions<RelayOptions>();

const db: Database = await openDatabase(
  options.url ? { url: await freshDatabase(options.url, 'relay') } : { dataDir: options.dataDir ?? '' },
);
await migrateEventTables(db);
const topic = options.namespace + orderCreated.topic.name;
await ensureTopics({ brokers: options.brokers, clientId: 'events-bench.admin' }, [
  { ...orderCreated.topic, name: topic },
]);

const fillStarted = nowMs();
for (let recorded = 0; recorded < options.events; recorded += options.perTransaction) {
  const count = Math.min(options.perTransaction, options.events - recorded);
  await withTransaction(db, async (tx) => {
    for (let index = 0; index < count; index += 1) {
      const order = benchOrder();
      await recordEvent(tx, orderCreated, order.id, OrderCreated.create({ order }));
    }
  });
}
const fillSeconds = (nowMs() - fillStarted) / 1000;

// Counts what Kafka acknowledged; the relay marks those rows right after.
const kafkaPublisher = createKafkaPublisher({ brokers: options.brokers, clientId: 'events-bench.relay' });
let published = 0;
const publisher: EventPublisher = {
  async publish(records) {
    await kafkaPublisher.publish(records);
    published += records.length;
  },
  close: () => kafkaPublisher.close(),
};
// Connected before the clock starts (a record no consumer reads).
await kafkaPublisher.publish([{ topic, key: 'warm-up', value: Buffer.alloc(0), headers: {} }]);

const relay = new OutboxRelay({
  db,
  publisher,
  source: '/platform/events-bench',
  logger: childLogger,
  topics: [orderCreated.topic],
  namespace: options.namespace,
  batchSize: options.batchSize,
});
const cpuBefore = process.cpuUsage();
const started = nowMs();
relay.start();
const deadline = started + 300_000;
while (published < options.events || (await relay.backlog()).size > 0) {
  if (nowMs() > deadline) throw new Error(`relay: ${published} of ${options.events} published after 300 s`);
  await sleep(published < options.events ? 10 : 2);
}
const seconds = (nowMs() - started) / 1000;
const cpuMs = cpuMsSince(cpuBefore);
await relay.stop();
await publisher.close();
await db.close();
const result: RelayResult = {
  database: options.url ? 'postgres' : 'pglite',
  events: options.events,
  batchSize: options.batchSize,
  fillSeconds,
  seconds,
  perSecond: options.events / seconds,
  cpuUsPerEvent: (cpuMs * 1000) / options.events,
};
reportResult(result);
