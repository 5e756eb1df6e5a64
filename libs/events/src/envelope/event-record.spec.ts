import { describe, expect, it } from 'vitest';
import { defineEventType, type MessageCodec } from '../contracts/event-type.js';
import { readEnvelope } from './cloud-event-headers.js';
import { eventRecord } from './event-record.js';

const json: MessageCodec<{ itemId: string }> = {
  encode: (message) => ({ finish: () => Buffer.from(JSON.stringify(message)) }),
  decode: (input) => JSON.parse(Buffer.from(input).toString('utf8')) as { itemId: string },
};
const itemAdded = defineEventType(
  'test.items.v1.ItemAdded',
  { name: 'items.v1', aggregateType: 'item', partitions: 1, retentionMs: 60_000 },
  json,
);

describe('eventRecord', () => {
  it('encodes the event on its namespaced topic, keyed by the subject, with headers a consumer reads', () => {
    const time = new Date('2026-12-01T10:00:00.000Z');
    const record = eventRecord(
      itemAdded,
      { itemId: 'i-1' },
      { subject: 'i-1', source: '/platform/test', id: 'e-1', namespace: 'ci.', time },
    );
    expect(record).toMatchObject({ topic: 'ci.items.v1', key: 'i-1' });
    expect(json.decode(record.value)).toEqual({ itemId: 'i-1' });
    expect(readEnvelope(record.headers)).toMatchObject({
      id: 'e-1',
      type: 'test.items.v1.ItemAdded',
      source: '/platform/test',
      subject: 'i-1',
      time,
    });
  });

  it('gives each record a new id and the current time by default', () => {
    const options = { subject: 'i-1', source: '/platform/test' };
    const first = eventRecord(itemAdded, { itemId: 'i-1' }, options);
    const second = eventRecord(itemAdded, { itemId: 'i-1' }, options);
    expect(first.topic).toBe('items.v1');
    expect(first.headers['ce_id']).not.toBe(second.headers['ce_id']);
    expect(Date.parse(first.headers['ce_time'] ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });
});
