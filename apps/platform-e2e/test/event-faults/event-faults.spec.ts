// The event layer under faults, on a real Kafka broker and PostgreSQL, with the built apps as
// processes: each test places >= 1,000 orders through CreateOrder while something breaks, then
// checks that every committed order has exactly one effect in each projection (the user
// service's order stats, the worker's confirmation) and that every event is accounted for.
import { cloudEventHeaders } from '@platform/events';
import { metricSum, readTopic, waitFor } from '@platform/testing';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accountFor, report } from '../__fixtures__/account-for.js';
import { groupCaughtUp } from '../__fixtures__/consumer-offsets.js';
import { KafkaBroker } from '../__fixtures__/kafka-broker.js';
import { placeOrders } from '../__fixtures__/order-load.js';
import { startPlatform, type Caller, type PlatformStack } from '../__fixtures__/platform-stack.js';

const orderCount = 1_000;
const logsDir = fileURLToPath(new URL('../../dist/e2e-logs/', import.meta.url));
const broker = new KafkaBroker();
let brokers = '';
let stack: PlatformStack | undefined;

beforeAll(async () => {
  brokers = await broker.start();
});
afterAll(() => broker.dispose());
afterEach(async (context) => {
  // A failed test leaves the apps' logs in dist/e2e-logs/<test>/.
  if (context.task.result?.state !== 'pass' && stack) {
    const dir = join(logsDir, context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60));
    await mkdir(dir, { recursive: true });
    for (const app of [stack.userService, stack.orderService, stack.worker]) {
      await writeFile(join(dir, `${app.name}.log`), app.logs.map((line) => JSON.stringify(line)).join('\n'));
    }
    console.error(`app logs of the failed test: ${dir}`);
  }
  await stack?.dispose();
  stack = undefined;
  // A test that failed while the broker was stopped must not fail the next ones with it.
  await broker.start();
});

async function platform(): Promise<{ stack: PlatformStack; callers: Caller[] }> {
  stack = await startPlatform(brokers, { EVENTS_RETRY_DELAYS: '500ms,1s' });
  const callers = await Promise.all(Array.from({ length: 20 }, () => (stack as PlatformStack).signUp()));
  return { stack, callers };
}

const inboxCount = async (s: PlatformStack) =>
  Number(
    (
      await s.userDb.query<{ n: string }>('select count(*) as n from event_inbox where consumer_group = $1', [
        `${s.namespace}user-service.order-stats`,
      ])
    )[0]?.n,
  );

describe('event layer faults', () => {
  it('1. a consumer process killed mid-handler and restarted applies every event once', async () => {
    const { stack: s, callers } = await platform();
    const kills: Record<string, number> = {};
    const placed = await placeOrders(s, callers, orderCount, {
      async onPlaced(n) {
        if (n === 300) {
          // SIGKILL: no shutdown hook, no offset commit; handlers in flight are cut.
          kills['workerKilledAtConfirmed'] = Number(
            (
              await s.orderDb.query<{ n: string }>(
                `select count(*) as n from orders where status = 'confirmed'`,
              )
            )[0]?.n,
          );
          await s.worker.kill();
        }
        if (n === 500) {
          kills['projectionKilledAtInbox'] = await inboxCount(s);
          await s.userService.kill();
          await s.userService.start();
        }
        if (n === 700) await s.worker.start();
      },
    });
    const accounting = await accountFor(s, brokers, placed);
    expect(kills['projectionKilledAtInbox']).toBeGreaterThan(0);
    expect(kills['projectionKilledAtInbox']).toBeLessThan(accounting.events);
    expect(accounting.deadLettered.projection).toHaveLength(0);
    expect(accounting.deadLettered.worker).toHaveLength(0);
    report('consumer killed', accounting, kills);
  });

  it('2. the broker stopped while orders are created: the outbox keeps them and drains after the restart', async () => {
    const { stack: s, callers } = await platform();
    let stoppedAt: Date | undefined;
    let placedSoFar = 0;
    let placedWhenStopped = 0;
    let whileDown = { recorded: 0, waiting: 0, backlog: 0 };
    let backlogMetricWhileDown = 0;
    let oldestAgeWhileDown = 0;
    let pausedAt = 0;
    let pausing: Promise<unknown> = Promise.resolve();
    const placed = await placeOrders(s, callers, orderCount, {
      async onPlaced(n) {
        placedSoFar = Math.max(placedSoFar, n);
        if (n === 300) {
          pausedAt = Date.now();
          pausing = broker.pause();
          await pausing;
          placedWhenStopped = placedSoFar;
          // The database's clock: an event recorded after this has no broker to go to. (Orders
          // the other callers placed while the broker was shutting down may have been published.)
          stoppedAt = (await s.orderDb.query<{ now: Date }>('select now() as now'))[0]?.now;
        }
        if (n === 700) {
          // Orders keep committing while the broker stops. It stays down long enough for
          // kafkajs's own request retries (about 10 s) to give up, so the relay's backoff and the
          // consumers' restarts are what ride the outage out.
          await pausing;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, pausedAt + 15_000 - Date.now())));
          const [counts] = await s.orderDb.query<{ recorded: string; waiting: string; backlog: string }>(
            `select count(*) filter (where created_at > $1) as recorded,
                    count(*) filter (where created_at > $1 and published_at is null) as waiting,
                    count(*) filter (where published_at is null) as backlog
               from outbox`,
            [stoppedAt],
          );
          whileDown = {
            recorded: Number(counts?.recorded),
            waiting: Number(counts?.waiting),
            backlog: Number(counts?.backlog),
          };
          const metrics = await s.orderService.metrics();
          backlogMetricWhileDown = metricSum(metrics, 'outbox_backlog');
          oldestAgeWhileDown = metricSum(metrics, 'outbox_oldest_unpublished_age_seconds');
          await broker.start();
        }
      },
    });
    // Orders kept committing while it was down: those answered after the stop up to the 700th,
    // less the few in flight at the stop (16 callers), which may have committed before it. Every
    // event recorded then waits in the outbox.
    expect(whileDown.recorded).toBeGreaterThanOrEqual(700 - placedWhenStopped - 16);
    expect(whileDown.waiting).toBe(whileDown.recorded);
    expect(whileDown.backlog).toBeGreaterThanOrEqual(whileDown.recorded);
    const accounting = await accountFor(s, brokers, placed);
    // Every app rode it out: none exited.
    expect([s.userService.running, s.orderService.running, s.worker.running]).toEqual([true, true, true]);
    // The relay's metrics showed the outage while it lasted.
    expect(backlogMetricWhileDown).toBeGreaterThanOrEqual(whileDown.recorded);
    expect(oldestAgeWhileDown).toBeGreaterThan(5);
    report('broker stopped', accounting, {
      ...whileDown,
      placedWhenStopped,
      backlogMetricWhileDown,
      oldestAgeWhileDown,
    });
  });

  it('3. the relay killed between publishing and marking: duplicates reach Kafka, no effect applies twice', async () => {
    const { stack: s, callers } = await platform();
    let unmarked = 0;
    const placed = await placeOrders(s, callers, orderCount, {
      async onPlaced(n) {
        if (n !== 600) return;
        await waitFor(
          'published events',
          async () =>
            Number(
              (
                await s.orderDb.query<{ n: string }>(
                  'select count(*) as n from outbox where published_at is not null',
                )
              )[0]?.n,
            ) >= 300,
        );
        // The process dies with the last 300 published rows acknowledged by Kafka but not yet
        // marked: exactly the state a kill between the two steps leaves.
        await s.orderService.kill();
        const rows = await s.orderDb.query(
          `update outbox set published_at = null where id in (
             select id from outbox where published_at is not null order by seq desc limit 300) returning id`,
        );
        unmarked = rows.length;
        await s.orderService.start();
      },
    });
    const accounting = await accountFor(s, brokers, placed);
    expect(unmarked).toBe(300);
    expect(accounting.duplicatesInKafka).toBeGreaterThanOrEqual(300);
    report('relay killed before marking', accounting, { unmarked });
  });

  it('4. poison records go to the dead-letter topics and the partitions keep flowing', async () => {
    const { stack: s, callers } = await platform();
    const kafka = new Kafka({ clientId: 'poisoner', brokers: [brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const poison = Array.from({ length: 12 }, (_, index) => {
      const id = randomUUID();
      const type = index % 2 === 0 ? 'platform.order.v1.OrderCreated' : 'platform.order.v1.OrderShipped';
      return {
        key: `poison-${index}`,
        value: index % 2 === 0 ? Buffer.from([0xff, 0xff, 0xff, 0xff]) : Buffer.from('{"not":"protobuf"}'),
        headers: cloudEventHeaders({
          id,
          type,
          source: '/poisoner',
          subject: `poison-${index}`,
          time: new Date(),
        }),
      };
    });
    const placed = await placeOrders(s, callers, orderCount, {
      async onPlaced(n) {
        if (n === 200 || n === 600) {
          await producer.send({
            topic: `${s.namespace}order.events.v1`,
            messages: poison.slice(n === 200 ? 0 : 6, n === 200 ? 6 : 12),
          });
        }
      },
    });
    await producer.disconnect();
    const accounting = await accountFor(s, brokers, placed);
    const reasons = (records: typeof accounting.deadLettered.worker) =>
      records.map((record) => [record.key?.toString(), record.headers['dlt-reason']]).sort();
    const expected = poison
      .map((record, index) => [record.key, index % 2 === 0 ? 'undecodable' : 'unknown-type'])
      .sort();
    expect(reasons(accounting.deadLettered.projection)).toEqual(expected);
    expect(reasons(accounting.deadLettered.worker)).toEqual(expected);
    for (const record of accounting.deadLettered.projection) {
      expect(record.headers['dlt-original-topic']).toBe(`${s.namespace}order.events.v1`);
      expect(record.headers['dlt-original-offset']).toMatch(/^\d+$/);
    }
    report('poison', accounting);
  });

  it('5. a second delivery of every event id is skipped', async () => {
    const { stack: s, callers } = await platform();
    const placed = await placeOrders(s, callers, orderCount);
    const first = await accountFor(s, brokers, placed);
    const topic = `${s.namespace}order.events.v1`;
    const records = await readTopic([brokers], topic);
    const kafka = new Kafka({ clientId: 'duplicator', brokers: [brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: records.map((record) => ({ key: record.key, value: record.value, headers: record.headers })),
    });
    await producer.disconnect();
    await waitFor(
      'both groups consumed the copies',
      async () =>
        (await groupCaughtUp(brokers, `${s.namespace}user-service.order-stats`, topic)) &&
        (await groupCaughtUp(brokers, `${s.namespace}fulfillment-worker`, topic)),
      { timeoutMs: 120_000 },
    );
    const second = await accountFor(s, brokers, placed);
    expect(second.kafkaRecords).toBe(first.kafkaRecords * 2);
    expect(second.handledByProjection).toBe(first.events);
    const duplicates = metricSum(await s.userService.metrics(), 'events_processed_total', {
      outcome: 'duplicate',
    });
    expect(duplicates).toBeGreaterThanOrEqual(records.length);
    report('duplicate delivery', second, { redelivered: records.length, skippedAsDuplicates: duplicates });
  });

  it('6. a second consumer joining the group mid-run (rebalance) loses and doubles nothing', async () => {
    const { stack: s, callers } = await platform();
    const joined: string[] = [];
    const placed = await placeOrders(s, callers, orderCount, {
      async onPlaced(n) {
        if (n === 300) {
          await s.another('fulfillment-worker');
          joined.push('fulfillment-worker');
        }
        if (n === 500) {
          await s.another('user-service');
          joined.push('user-service');
        }
        // One of the first pair leaves gracefully: a second rebalance.
        if (n === 800) await s.worker.stop();
      },
    });
    const accounting = await accountFor(s, brokers, placed);
    expect(joined).toEqual(['fulfillment-worker', 'user-service']);
    report('rebalance', accounting, { joined });
  });
});
