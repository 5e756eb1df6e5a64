import { describe, expect, it } from 'vitest';
import { retryHeaders } from './dead-letter-headers.js';
import { headerStrings, originOf, type IncomingRecord } from './incoming-record.js';

const retryTopics = new Map([['orders.g.retry', 'orders']]);

function record(topic: string, headers: Record<string, string> = {}): IncomingRecord {
  return { topic, partition: 1, message: { key: null, value: null, offset: '12' }, headers };
}

describe('originOf', () => {
  it('is the record itself for a source topic', () => {
    expect(originOf(record('orders'), retryTopics)).toEqual({ topic: 'orders', partition: 1, offset: '12' });
  });

  it("is the original's place for a retry-topic record", () => {
    const headers = {
      [retryHeaders.originalTopic]: 'orders',
      [retryHeaders.originalPartition]: '4',
      [retryHeaders.originalOffset]: '99',
    };
    expect(originOf(record('orders.g.retry', headers), retryTopics)).toEqual({
      topic: 'orders',
      partition: 4,
      offset: '99',
    });
  });

  it("falls back to the retry topic's source topic and the record's own place without retry headers", () => {
    expect(originOf(record('orders.g.retry'), retryTopics)).toEqual({
      topic: 'orders',
      partition: 1,
      offset: '12',
    });
  });
});

describe('headerStrings', () => {
  it('reads each header as a string, the first of a repeated one, dropping absent ones', () => {
    expect(
      headerStrings({
        ce_id: Buffer.from('a'),
        repeated: [Buffer.from('1'), Buffer.from('2')],
        text: 'x',
        none: undefined,
      }),
    ).toEqual({ ce_id: 'a', repeated: '1', text: 'x' });
    expect(headerStrings(undefined)).toEqual({});
  });
});
