// The fault suites' common verdict: every committed order has exactly one effect in each
// projection, and every event is accounted for (handled, or dead-lettered with its error).
import { readTopic, waitFor, type TopicRecord } from '@platform/testing';
import { expect } from 'vitest';
import type { PlacedOrder } from './order-load.js';
import type { PlatformStack } from './platform-stack.js';

export interface Accounting {
  orders: number;
  events: number;
  kafkaRecords: number;
  duplicatesInKafka: number;
  handledByProjection: number;
  deadLettered: { projection: TopicRecord[]; worker: TopicRecord[] };
}

const count = async (db: PlatformStack['orderDb'], text: string, params: unknown[] = []) =>
  Number((await db.query<{ n: string }>(text, params))[0]?.n ?? 0);

/** Waits until the platform settled on `placed`, then checks every effect exactly; returns the figures. */
export async function accountFor(
  stack: PlatformStack,
  brokers: string,
  placed: readonly PlacedOrder[],
  timeoutMs = 180_000,
): Promise<Accounting> {
  const ids = placed.map((order) => order.id);
  const ns = stack.namespace;
  const projectionGroup = `${ns}user-service.order-stats`;
  // Settled: every order confirmed, every outbox row published, every event in the projection.
  await waitFor(
    `${placed.length} orders confirmed`,
    async () =>
      (await count(
        stack.orderDb,
        `select count(*) as n from orders where id = any($1) and status = 'confirmed'`,
        [ids],
      )) === placed.length,
    { timeoutMs, intervalMs: 250 },
  );
  await waitFor(
    'the outboxes drained',
    async () =>
      (await count(stack.orderDb, 'select count(*) as n from outbox where published_at is null')) === 0 &&
      (await count(stack.userDb, 'select count(*) as n from outbox where published_at is null')) === 0,
    { timeoutMs, intervalMs: 250 },
  );
  const events = await count(stack.orderDb, 'select count(*) as n from outbox where aggregateid = any($1)', [
    ids,
  ]);
  await waitFor(
    `the projection handled ${events} events`,
    async () =>
      (await count(stack.userDb, 'select count(*) as n from event_inbox where consumer_group = $1', [
        projectionGroup,
      ])) >= events,
    { timeoutMs, intervalMs: 250 },
  );

  // Orders: one confirmation each (version 1 -> 2), one OrderCreated and one OrderConfirmed each.
  const versions = await stack.orderDb.query<{ version: string; n: string }>(
    'select version, count(*) as n from orders where id = any($1) group by version',
    [ids],
  );
  expect(versions.map((row) => [row.version, Number(row.n)])).toEqual([['2', placed.length]]);
  const outbox = await stack.orderDb.query<{ type: string; n: string }>(
    'select type, count(*) as n from outbox where aggregateid = any($1) group by type order by type',
    [ids],
  );
  expect(outbox.map((row) => [row.type, Number(row.n)])).toEqual([
    ['platform.order.v1.OrderConfirmed', placed.length],
    ['platform.order.v1.OrderCreated', placed.length],
  ]);

  // The projection: per user, exactly the orders placed and their totals.
  const expected = new Map<string, { orders: number; totals: Map<string, bigint> }>();
  for (const order of placed) {
    const entry = expected.get(order.userId) ?? { orders: 0, totals: new Map<string, bigint>() };
    entry.orders += 1;
    entry.totals.set(order.currency, (entry.totals.get(order.currency) ?? 0n) + order.totalMinor);
    expected.set(order.userId, entry);
  }
  const stats = await stack.userDb.query<{
    user_id: string;
    order_count: string;
    confirmed_count: string;
    cancelled_count: string;
  }>(
    'select user_id, order_count, confirmed_count, cancelled_count from user_order_stats where user_id = any($1)',
    [[...expected.keys()]],
  );
  const totals = await stack.userDb.query<{
    user_id: string;
    currency_code: string;
    lifetime_total_minor: string;
  }>('select user_id, currency_code, lifetime_total_minor from user_order_totals where user_id = any($1)', [
    [...expected.keys()],
  ]);
  expect(stats).toHaveLength(expected.size);
  for (const row of stats) {
    const want = expected.get(row.user_id);
    expect([
      row.user_id,
      Number(row.order_count),
      Number(row.confirmed_count),
      Number(row.cancelled_count),
    ]).toEqual([row.user_id, want?.orders, want?.orders, 0]);
  }
  expect(totals).toHaveLength([...expected.values()].reduce((sum, entry) => sum + entry.totals.size, 0));
  for (const row of totals) {
    expect([row.user_id, row.currency_code, BigInt(row.lifetime_total_minor)]).toEqual([
      row.user_id,
      row.currency_code,
      expected.get(row.user_id)?.totals.get(row.currency_code),
    ]);
  }

  // Kafka: every event is on the topic (at least once); the projection applied each exactly once.
  const records = await readTopic([brokers], `${ns}order.events.v1`, 60_000);
  const outboxIds = new Set(
    (
      await stack.orderDb.query<{ id: string }>('select id from outbox where aggregateid = any($1)', [ids])
    ).map((row) => row.id),
  );
  const ofRun = records.filter((record) => outboxIds.has(record.headers['ce_id'] ?? ''));
  expect(new Set(ofRun.map((record) => record.headers['ce_id'])).size).toBe(events);
  const handled = await count(
    stack.userDb,
    'select count(*) as n from event_inbox where consumer_group = $1 and event_id = any($2)',
    [projectionGroup, [...outboxIds]],
  );
  expect(handled).toBe(events);
  const deadLettered = {
    projection: await readTopic([brokers], `${ns}order.events.v1.${projectionGroup}.dlt`),
    worker: await readTopic([brokers], `${ns}order.events.v1.${ns}fulfillment-worker.dlt`),
  };
  // No order event of the run was dead-lettered: those that are there are the test's own poison.
  for (const record of [...deadLettered.projection, ...deadLettered.worker]) {
    expect(outboxIds.has(record.headers['ce_id'] ?? '')).toBe(false);
    expect(record.headers['dlt-error']).toBeTruthy();
  }
  return {
    orders: placed.length,
    events,
    kafkaRecords: ofRun.length,
    duplicatesInKafka: ofRun.length - events,
    handledByProjection: handled,
    deadLettered,
  };
}

/** One line per fault test, so the run shows its counts. */
export function report(fault: string, accounting: Accounting, extra: Record<string, unknown> = {}): void {
  const { deadLettered, ...figures } = accounting;
  console.log(
    `[${fault}] ${JSON.stringify({
      ...figures,
      deadLetteredByProjection: deadLettered.projection.length,
      deadLetteredByWorker: deadLettered.worker.length,
      ...extra,
    })}`,
  );
}
