import { createLogger } from '@platform/observability';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { recordingPublisher } from './__fixtures__/recording-publisher.js';
import { consumerMetrics } from './consumer-metrics.js';
import { deadLetterHeaders, retryHeaders } from './dead-letter-headers.js';
import type { IncomingRecord } from './incoming-record.js';
import { RecordParking } from './record-parking.js';

const now = Date.parse('2026-01-02T03:04:05.678Z');

function parking() {
  const registry = new Registry();
  const lines: { level: string; msg: string }[] = [];
  const logger = createLogger({
    name: 'parking-test',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[0]) },
  });
  const { publisher, published, fail } = recordingPublisher();
  const parked = new RecordParking({
    group: 'ns.stats',
    publisher,
    metrics: consumerMetrics(registry, 'ns.stats'),
    logger,
    now: () => now,
  });
  return { parked, published, fail, registry, lines };
}

const originalHeaders = {
  ce_specversion: '1.0',
  ce_id: 'event-1',
  ce_type: 'platform.order.v1.OrderCreated',
  ce_source: '/platform/order-service',
  ce_time: '2026-01-02T03:00:00.000Z',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

/** A record as read from `topic` at offset 7 of partition 2. */
function incoming(
  topic = 'ns.order.events.v1',
  headers: Record<string, string> = originalHeaders,
): IncomingRecord {
  return {
    topic,
    partition: 2,
    message: { key: Buffer.from('order-1'), value: Buffer.from([1, 2, 3]), offset: '7' },
    headers,
  };
}

const origin = { topic: 'ns.order.events.v1', partition: 2, offset: '7' };

async function counted(registry: Registry, name: string) {
  return (await registry.getSingleMetric(name)?.get())?.values.map(({ labels, value }) => ({
    labels,
    value,
  }));
}

describe('RecordParking.deadLetter', () => {
  it('publishes the original key, value and headers to the dead-letter topic with where and why', async () => {
    const { parked, published } = parking();
    await parked.deadLetter(incoming(), origin, 'permanent-error', new TypeError('no such\n order'), 4);
    expect(published).toHaveLength(1);
    const [record] = published;
    expect(record?.topic).toBe('ns.order.events.v1.ns.stats.dlt');
    expect(record?.key).toEqual(Buffer.from('order-1'));
    expect(record?.value).toEqual(Buffer.from([1, 2, 3]));
    expect(record?.headers).toEqual({
      ...originalHeaders,
      [deadLetterHeaders.originalTopic]: 'ns.order.events.v1',
      [deadLetterHeaders.originalPartition]: '2',
      [deadLetterHeaders.originalOffset]: '7',
      [deadLetterHeaders.group]: 'ns.stats',
      [deadLetterHeaders.attempts]: '4',
      [deadLetterHeaders.reason]: 'permanent-error',
      [deadLetterHeaders.error]: 'TypeError: no such order',
      [deadLetterHeaders.time]: '2026-01-02T03:04:05.678Z',
    });
  });

  it('dead-letters a record from the retry topic under its original place, without the retry headers', async () => {
    const { parked, published } = parking();
    const fromRetryTopic = incoming('ns.order.events.v1.ns.stats.retry', {
      ...originalHeaders,
      [retryHeaders.pass]: '2',
      [retryHeaders.due]: '1',
      [retryHeaders.attempts]: '6',
      [retryHeaders.originalTopic]: 'ns.order.events.v1',
      [retryHeaders.originalPartition]: '2',
      [retryHeaders.originalOffset]: '7',
      [retryHeaders.error]: 'Error: earlier',
    });
    await parked.deadLetter(fromRetryTopic, origin, 'retries-exhausted', new Error('still down'), 9);
    const headers = published[0]?.headers ?? {};
    expect(published[0]?.topic).toBe('ns.order.events.v1.ns.stats.dlt');
    expect(Object.keys(headers).filter((name) => name.startsWith('retry-'))).toEqual([]);
    expect(headers).toMatchObject({
      ce_id: 'event-1',
      [deadLetterHeaders.originalOffset]: '7',
      [deadLetterHeaders.attempts]: '9',
      [deadLetterHeaders.reason]: 'retries-exhausted',
    });
  });

  it('keeps a record without value or envelope as it came (an empty value, type "unknown")', async () => {
    const { parked, published, registry } = parking();
    const bare: IncomingRecord = {
      topic: 'ns.order.events.v1',
      partition: 0,
      message: { key: null, value: null, offset: '3' },
      headers: {},
    };
    await parked.deadLetter(
      bare,
      { ...origin, partition: 0, offset: '3' },
      'invalid-envelope',
      new Error('x'),
      0,
    );
    expect(published[0]).toMatchObject({ key: null, value: Buffer.alloc(0) });
    expect(await counted(registry, 'events_processed_total')).toEqual([
      {
        labels: { group: 'ns.stats', topic: 'ns.order.events.v1', type: 'unknown', outcome: 'dead_lettered' },
        value: 1,
      },
    ]);
  });

  it('counts the record by reason and logs it at error', async () => {
    const { parked, registry, lines } = parking();
    await parked.deadLetter(incoming(), origin, 'undecodable', new Error('bad bytes'), 0);
    expect(await counted(registry, 'events_dead_lettered_total')).toEqual([
      { labels: { group: 'ns.stats', topic: 'ns.order.events.v1', reason: 'undecodable' }, value: 1 },
    ]);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([['error', 'event dead-lettered']]);
  });

  it('rejects (nothing counted) when the broker does not take it: the offset must stay unresolved', async () => {
    const { parked, fail, registry } = parking();
    const refused = new Error('not enough replicas');
    fail(refused);
    await expect(parked.deadLetter(incoming(), origin, 'undecodable', new Error('x'), 0)).rejects.toBe(
      refused,
    );
    expect(await counted(registry, 'events_dead_lettered_total')).toEqual([]);
  });
});

describe('RecordParking.retryLater', () => {
  it('publishes the original record to the retry topic, due after the delay, with its pass and attempts', async () => {
    const { parked, published, registry, lines } = parking();
    const error = new Error('downstream unavailable');
    await parked.retryLater(incoming(), origin, { pass: 1, delayMs: 1_000, attempts: 3, error });
    expect(published).toEqual([
      {
        topic: 'ns.order.events.v1.ns.stats.retry',
        key: Buffer.from('order-1'),
        value: Buffer.from([1, 2, 3]),
        headers: {
          ...originalHeaders,
          [retryHeaders.pass]: '1',
          [retryHeaders.due]: String(now + 1_000),
          [retryHeaders.attempts]: '3',
          [retryHeaders.originalTopic]: 'ns.order.events.v1',
          [retryHeaders.originalPartition]: '2',
          [retryHeaders.originalOffset]: '7',
          [retryHeaders.error]: 'Error: downstream unavailable',
        },
      },
    ]);
    expect(await counted(registry, 'events_retried_total')).toEqual([
      {
        labels: { group: 'ns.stats', type: 'platform.order.v1.OrderCreated', stage: 'retry_topic' },
        value: 1,
      },
    ]);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['warn', 'event handler failed; retrying through the retry topic'],
    ]);
  });

  it('replaces the retry headers of an earlier pass', async () => {
    const { parked, published } = parking();
    const secondPass = incoming('ns.order.events.v1.ns.stats.retry', {
      ...originalHeaders,
      [retryHeaders.pass]: '1',
      [retryHeaders.attempts]: '3',
      [retryHeaders.error]: 'Error: first',
    });
    await parked.retryLater(secondPass, origin, {
      pass: 2,
      delayMs: 10_000,
      attempts: 6,
      error: new Error('second'),
    });
    expect(published[0]?.headers).toMatchObject({
      [retryHeaders.pass]: '2',
      [retryHeaders.attempts]: '6',
      [retryHeaders.due]: String(now + 10_000),
      [retryHeaders.error]: 'Error: second',
    });
  });
});
