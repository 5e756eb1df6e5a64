// Child process: consumes a pre-filled topic from its beginning with a fresh consumer group and
// reports messages/s from the first message to the `messages`-th, and CPU time per message.
//   raw            kafkajs eachBatch as the runtime drives it (resolveOffset per message,
//                  heartbeat, commitOffsetsIfNecessary), the handler given the raw message;
//   raw-decode     the same, decoding each payload (OrderCreated) for the handler;
//   runtime        EventConsumer, no-op handler, no database (idempotent handlers);
//   runtime-inbox  EventConsumer with the inbox on PGlite (a transaction per event).
import { openDatabase, type Database } from '@platform/db';
import { consumerTimeouts, EventConsumer, migrateEventTables, on } from '@platform/events';
import { OrderCreated, orderCreated } from '@platform/proto';
import { Kafka, logLevel, type EachBatchPayload } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { childLogger, childOptions, cpuMsSince, nowMs, reportResult } from './bench-child.js';

export type ConsumeMode = 'raw' | 'raw-decode' | 'runtime' | 'runtime-inbox';

export interface ConsumeOptions {
  mode: ConsumeMode;
  brokers: string[];
  group: string;
  /** Messages to count; the topic holds at least this many. */
  messages: number;
  partitionsConsumedConcurrently: number;
  /** PGlite data folder of the inbox (runtime-inbox). */
  dataDir?: string;
}

export interface ConsumeResult {
  mode: ConsumeMode;
  messages: number;
  seconds: number;
  perSecond: number;
  cpuUsPerMessage: number;
}

const options = childOptions<ConsumeOptions>();
const topic = orderCreated.topic.name;
let handled = 0;
let firstAt = 0;
let cpuAtFirst: NodeJS.CpuUsage = process.cpuUsage();
let finished: (result: ConsumeResult) => void = () => undefined;
const result = new Promise<ConsumeResult>((resolve) => (finished = resolve));

/** The handler every variant calls: counts, and times the run from the first message. */
function handle(_event: unknown): Promise<void> {
  if (handled === 0) {
    firstAt = nowMs();
    cpuAtFirst = process.cpuUsage();
  }
  handled += 1;
  if (handled === options.messages) {
    const seconds = (nowMs() - firstAt) / 1000;
    finished({
      mode: options.mode,
      messages: handled,
      seconds,
      perSecond: handled / seconds,
      cpuUsPerMessage: (cpuMsSince(cpuAtFirst) * 1000) / handled,
    });
  }
  return Promise.resolve();
}

async function startRaw(decode: boolean): Promise<() => Promise<void>> {
  const kafka = new Kafka({
    clientId: 'events-bench.raw',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: options.group,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxWaitTimeInMs: consumerTimeouts.fetchWaitMs,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    autoCommitInterval: 1_000,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      isRunning,
      isStale,
      commitOffsetsIfNecessary,
    }: EachBatchPayload) => {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        await handle(decode ? OrderCreated.decode(message.value ?? Buffer.alloc(0)) : message);
        resolveOffset(message.offset);
        await heartbeat();
      }
      await commitOffsetsIfNecessary();
    },
  });
  return () => consumer.disconnect();
}

async function startRuntime(db: Database | undefined): Promise<() => Promise<void>> {
  const consumer = new EventConsumer({
    group: options.group,
    kafka: { brokers: options.brokers, clientId: 'events-bench.runtime' },
    handlers: [on(orderCreated, handle)],
    ...(db && { db }),
    logger: childLogger,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
  });
  await consumer.start();
  return () => consumer.stop();
}

let db: Database | undefined;
if (options.mode === 'runtime-inbox') {
  if (!options.dataDir) throw new Error('runtime-inbox needs a dataDir');
  db = await openDatabase({ dataDir: options.dataDir });
  await migrateEventTables(db);
}
const stop = options.mode.startsWith('raw')
  ? await startRaw(options.mode === 'raw-decode')
  : await startRuntime(db);
const measured = await result;
// Leave the group cleanly (bounded): not part of the measurement.
await Promise.race([stop().then(() => db?.close()), sleep(5_000)]).catch(() => undefined);
reportResult(measured);
