// Benchmark: the event layer (@platform/events) on a Kafka broker of its own, on loopback.
//   1. consumer throughput: one pre-filled topic (order.events.v1, 6 partitions, OrderCreated
//      records as the relay publishes them) consumed from its beginning by a fresh group: a raw
//      kafkajs eachBatch consumer vs the EventConsumer runtime (no-op handler, no database) ->
//      msgs/s and their ratio (target >= 0.8); for information also raw with payload decoding
//      and the runtime with its inbox on PGlite;
//   2. relay throughput: an outbox filled with N events, drained by an OutboxRelay (batch size
//      500) to Kafka -> events/s, on PGlite and (when it starts) PostgreSQL;
//   3. end-to-end latency at a fixed open-loop 500 orders/s: CreateOrder's transaction commit
//      -> relay -> Kafka -> consumer handler done (inbox + projection) -> p50/p95/p99/max
//      (target p99 <= 50 ms), on PGlite and (when it starts) PostgreSQL; BENCH_RATES measures
//      several rates, each with the share of each CPU busy during it.
// Every measurement runs in a fresh process pinned to CPU 0 (broker and this runner on CPU 1);
// rounds interleave the variants and each keeps its median.
import { ensureTopics } from '@platform/events';
import { orderCreated } from '@platform/proto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAllOnExit } from '../shared/child-processes.js';
import { median, medianBy } from '../shared/median.js';
import { canPin, pinSelf } from '../shared/pin-cpu.js';
import type { ConsumeMode, ConsumeOptions, ConsumeResult } from './consume-topic.js';
import type { LatencyOptions, LatencyResult } from './end-to-end-latency.js';
import { fillTopic } from './fill-topic.js';
import { startKafkaBroker, type KafkaBroker } from '../shared/kafka-broker.js';
import type { Percentiles } from './percentiles.js';
import { startPostgresServer, type PostgresServer } from '../shared/postgres-server.js';
import type { RelayOptions, RelayResult } from './relay-outbox.js';
import { runBenchChild } from './run-bench-child.js';

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const rounds = setting('BENCH_ROUNDS', 3);
const consumeMessages = setting('BENCH_CONSUME_MESSAGES', 100_000);
const inboxMessages = setting('BENCH_INBOX_MESSAGES', 10_000);
const concurrency = setting('BENCH_PARTITIONS_CONCURRENTLY', 4);
const relayEvents = setting('BENCH_RELAY_EVENTS', 10_000);
const relayBatch = setting('BENCH_RELAY_BATCH', 500);
// BENCH_RATES (e.g. 100,250,500) measures the latency at each rate: where it starts to climb
// shows when the machine, not the event layer, sets the tail (the runs report each CPU's use).
const rates = (process.env['BENCH_RATES'] ?? String(setting('BENCH_RATE', 500))).split(',').map(Number);
if (rates.some((rate) => !Number.isFinite(rate) || rate <= 0)) {
  throw new Error(`BENCH_RATES: ${process.env['BENCH_RATES']} is not a list of positive rates`);
}
const durationS = setting('BENCH_DURATION_S', 20);
// PGlite commits far fewer than 500 orders/s (see the README): its backlog, and so its latency,
// only grows with the duration, which is shorter for it to bound the run.
const pgliteDurationS = setting('BENCH_PGLITE_DURATION_S', 10);
const warmupS = setting('BENCH_WARMUP_S', 3);
const timeLimitS = setting('BENCH_TIME_LIMIT_S', 2400);
const withPostgres = process.env['BENCH_POSTGRES'] !== '0';
const phases = (process.env['BENCH_PHASES'] ?? 'consume,relay,latency').split(',');
const childCpu = 0;
const brokerCpu = 1;
const targets = { consumerRatio: 0.8, p99Ms: 50 };

const tempDir = await mkdtemp(join(tmpdir(), 'events-bench-'));
let broker: KafkaBroker | undefined;
let postgres: PostgresServer | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    await Promise.allSettled([broker?.stop(), postgres?.stop()]);
    await rm(tempDir, { recursive: true, force: true });
  })());
const stopAndExit = stopAllOnExit({ after: cleanup });
setTimeout(() => stopAndExit(`time limit of ${timeLimitS} s`, 1), timeLimitS * 1000).unref();
const pinning = canPin() && pinSelf(brokerCpu);
if (!pinning) console.error('not pinning to CPUs (taskset missing or a single CPU): figures are noisier');

const ms = (value: number) => value.toFixed(1);
const describeLatency = (p: Percentiles) =>
  `p50 ${ms(p.p50)}, p95 ${ms(p.p95)}, p99 ${ms(p.p99)}, max ${ms(p.max)} ms`;

async function consumerPhase(brokers: string[]) {
  const started = Date.now();
  await ensureTopics({ brokers, clientId: 'events-bench.admin' }, [orderCreated.topic]);
  await fillTopic(brokers, orderCreated.topic.name, consumeMessages);
  console.error(
    `filled ${orderCreated.topic.name} (${orderCreated.topic.partitions} partitions) with ${consumeMessages} records in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const modes: ConsumeMode[] = ['raw', 'runtime', 'raw-decode', 'runtime-inbox'];
  const runs = new Map<ConsumeMode, ConsumeResult[]>(modes.map((mode) => [mode, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const mode of modes) {
      const options: ConsumeOptions = {
        mode,
        brokers,
        group: `bench.${mode}.${round}`,
        messages: mode === 'runtime-inbox' ? Math.min(inboxMessages, consumeMessages) : consumeMessages,
        partitionsConsumedConcurrently: concurrency,
        dataDir: join(tempDir, `inbox-${round}`),
      };
      const result = await runBenchChild<ConsumeResult>('consume-topic', options, {
        cpu: childCpu,
        timeoutMs: 600_000,
      });
      runs.get(mode)?.push(result);
      console.error(
        `consume round ${round} ${mode}: ${result.perSecond.toFixed(0)} msgs/s (${result.messages} in ${result.seconds.toFixed(2)} s), ${result.cpuUsPerMessage.toFixed(1)} µs CPU/msg`,
      );
    }
  }
  const medians = Object.fromEntries(
    modes.map((mode) => {
      const results = runs.get(mode) ?? [];
      return [
        mode,
        {
          ...medianBy(results, (result) => result.perSecond),
          cpuUsPerMessage: median(results.map((result) => result.cpuUsPerMessage)),
          rounds: results.map((result) => Math.round(result.perSecond)),
        },
      ];
    }),
  ) as Record<ConsumeMode, ConsumeResult & { rounds: number[] }>;
  return { medians, ratio: medians.runtime.perSecond / medians.raw.perSecond };
}

async function relayPhase(brokers: string[]) {
  const databases: ('pglite' | 'postgres')[] = postgres ? ['pglite', 'postgres'] : ['pglite'];
  const runs = new Map<string, RelayResult[]>(databases.map((database) => [database, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const database of databases) {
      const options: RelayOptions = {
        brokers,
        namespace: `relay-${database}-${round}.`,
        events: relayEvents,
        perTransaction: 100,
        batchSize: relayBatch,
        ...(database === 'postgres' && postgres
          ? { url: postgres.url }
          : { dataDir: join(tempDir, `relay-${round}`) }),
      };
      const result = await runBenchChild<RelayResult>('relay-outbox', options, {
        cpu: childCpu,
        timeoutMs: 600_000,
      });
      runs.get(database)?.push(result);
      console.error(
        `relay round ${round} ${database}: ${result.perSecond.toFixed(0)} events/s (${result.events} in ${result.seconds.toFixed(2)} s, outbox filled in ${result.fillSeconds.toFixed(1)} s), ${result.cpuUsPerEvent.toFixed(1)} µs CPU/event`,
      );
    }
  }
  return databases.map((database) => {
    const results = runs.get(database) ?? [];
    return {
      ...medianBy(results, (result) => result.perSecond),
      rounds: results.map((result) => Math.round(result.perSecond)),
    };
  });
}

async function latencyPhase(brokers: string[]) {
  const databases: ('pglite' | 'postgres')[] = postgres ? ['pglite', 'postgres'] : ['pglite'];
  const runs = new Map<string, LatencyResult[]>();
  for (let round = 1; round <= rounds; round += 1) {
    for (const rate of rates) {
      for (const database of databases) {
        const options: LatencyOptions = {
          brokers,
          namespace: `e2e-${database}-${rate}-${round}.`,
          rate,
          durationS: database === 'pglite' ? pgliteDurationS : durationS,
          warmupS,
          dir: join(tempDir, `e2e-${rate}-${round}`),
          ...(database === 'postgres' && postgres && { url: postgres.url }),
        };
        const result = await runBenchChild<LatencyResult>('end-to-end-latency', options, {
          cpu: childCpu,
          timeoutMs: (Math.max(durationS, pgliteDurationS) + warmupS) * 10_000 + 120_000,
        });
        const key = `${database}@${rate}`;
        runs.set(key, [...(runs.get(key) ?? []), result]);
        console.error(
          `latency round ${round} ${database} @ ${rate}/s: ${result.achievedRate.toFixed(0)} orders/s committed (${result.orders}, ${result.failed} failed, ${result.missing} not handled); ` +
            `commit -> handler done ${describeLatency(result.endToEnd)}; commit -> published p99 ${ms(result.commitToPublished.p99)}, ` +
            `published -> handled p99 ${ms(result.publishedToHandled.p99)}, schedule -> commit p99 ${ms(result.scheduleToCommit.p99)} ms; ` +
            `${result.relayBatches} relay batches of ${result.meanRelayBatch.toFixed(1)}; ${result.cpuUsPerOrder.toFixed(0)} µs CPU/order; ` +
            `CPUs busy ${describeCores(result.coresBusy)}`,
        );
      }
    }
  }
  return [...runs.values()].map((results) => ({
    ...medianBy(results, (result) => result.endToEnd.p99),
    roundsP99: results.map((result) => result.endToEnd.p99),
  }));
}

/** Each CPU's busy share, as `cpu0 97%, cpu1 88%`. */
function describeCores(coresBusy: number[]): string {
  return coresBusy.map((busy, core) => `cpu${core} ${(busy * 100).toFixed(0)}%`).join(', ');
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

try {
  broker = await startKafkaBroker(pinning ? { cpu: brokerCpu } : {});
  const brokers = [broker.bootstrap];
  if (withPostgres && (phases.includes('relay') || phases.includes('latency'))) {
    postgres = await startPostgresServer().catch((error: Error) => {
      console.error(`relay on PostgreSQL skipped: ${error.message.split('\n')[0]}`);
      return undefined;
    });
  }
  console.error(
    `node ${process.version}, Kafka at ${broker.bootstrap}, ${rounds} rounds, ` +
      `pinned: ${pinning ? `measured process CPU ${childCpu}, broker and runner CPU ${brokerCpu}` : 'no'}`,
  );
  const consumer = phases.includes('consume') ? await consumerPhase(brokers) : undefined;
  const relay = phases.includes('relay') ? await relayPhase(brokers) : undefined;
  const latency = phases.includes('latency') ? await latencyPhase(brokers) : undefined;

  const rows = [['measurement', 'median', 'rounds', 'target']];
  if (consumer) {
    const { medians } = consumer;
    const line = (label: string, mode: ConsumeMode, target = '') =>
      rows.push([
        label,
        `${medians[mode].perSecond.toFixed(0)} msgs/s (${medians[mode].cpuUsPerMessage.toFixed(1)} µs CPU/msg)`,
        medians[mode].rounds.join(' / '),
        target,
      ]);
    line(`consume ${consumeMessages}: raw kafkajs eachBatch`, 'raw');
    line('consume: EventConsumer, no-op handler, no db', 'runtime');
    rows.push([
      '  ratio runtime / raw',
      `${consumer.ratio.toFixed(2)}x`,
      '',
      `>= ${targets.consumerRatio}x ${consumer.ratio >= targets.consumerRatio ? 'met' : 'NOT met'}`,
    ]);
    line('consume: raw + protobuf decode (info)', 'raw-decode');
    line(
      `consume ${medians['runtime-inbox'].messages}: EventConsumer + PGlite inbox (info)`,
      'runtime-inbox',
    );
  }
  for (const result of relay ?? []) {
    rows.push([
      `relay ${result.events} events, batch ${result.batchSize}, ${result.database}`,
      `${result.perSecond.toFixed(0)} events/s (${result.cpuUsPerEvent.toFixed(1)} µs CPU/event)`,
      result.rounds.join(' / '),
      '',
    ]);
  }
  for (const result of latency ?? []) {
    rows.push([
      `commit -> handler done @ ${result.rate}/s for ${result.orders / result.rate} s, ${result.database}`,
      `${describeLatency(result.endToEnd)}; ${result.achievedRate.toFixed(0)}/s committed; CPUs busy ${describeCores(result.coresBusy)}`,
      `p99 ${result.roundsP99.map(ms).join(' / ')}`,
      `p99 <= ${targets.p99Ms} ms ${result.endToEnd.p99 <= targets.p99Ms ? 'met' : 'NOT met'}`,
    ]);
    rows.push(['  of which commit -> Kafka ack (relay)', describeLatency(result.commitToPublished), '', '']);
    rows.push(['  of which Kafka ack -> handler done', describeLatency(result.publishedToHandled), '', '']);
    rows.push(['  of which scheduled -> commit (writer)', describeLatency(result.scheduleToCommit), '', '']);
  }
  console.log(`\n${table(rows)}`);
  const resultsFile = join(import.meta.dirname, '..', 'events-results.json');
  await mkdir(join(import.meta.dirname, '..'), { recursive: true });
  await writeFile(
    resultsFile,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        pinned: pinning,
        settings: {
          rounds,
          consumeMessages,
          inboxMessages,
          concurrency,
          relayEvents,
          relayBatch,
          rates,
          durationS,
          warmupS,
        },
        targets,
        consumer,
        relay,
        latency,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nresults: ${resultsFile}`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
