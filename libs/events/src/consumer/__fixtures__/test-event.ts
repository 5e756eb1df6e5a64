import { defineEventType, type MessageCodec } from '../../contracts/event-type.js';
import { cloudEventHeaders } from '../../envelope/cloud-event-headers.js';
import type { TopicSpec } from '../../contracts/topic-spec.js';
import type { IncomingRecord } from '../incoming-record.js';

/** The payload of the specs' events; JSON instead of protobuf, so bad bytes fail to decode. */
export interface ItemAdded {
  readonly itemId: string;
}

const json: MessageCodec<ItemAdded> = {
  encode: (message) => ({ finish: () => Buffer.from(JSON.stringify(message)) }),
  decode: (input) => JSON.parse(Buffer.from(input).toString('utf8')) as ItemAdded,
};

export const itemsTopic: TopicSpec = {
  name: 'items',
  aggregateType: 'item',
  partitions: 1,
  retentionMs: 3_600_000,
};
export const itemAdded = defineEventType('test.items.v1.ItemAdded', itemsTopic, json);
export const itemRemoved = defineEventType('test.items.v1.ItemRemoved', itemsTopic, json);

/** An `itemAdded` record (or of another `type`) as fetched from `topic` at `offset`. */
export function itemRecord(
  itemId: string,
  {
    id = `event-${itemId}`,
    type = itemAdded.type,
    topic = 'items',
    offset = '0',
    extra = {} as Record<string, string>,
  } = {},
): IncomingRecord {
  return {
    topic,
    partition: 0,
    message: { key: Buffer.from(itemId), value: Buffer.from(JSON.stringify({ itemId })), offset },
    headers: cloudEventHeaders(
      { id, type, source: '/platform/test', subject: itemId, time: new Date() },
      extra,
    ),
  };
}
