import { OrderCreated, platformEventTypes, platformTopics } from '@platform/proto';
import { describe, expect, it } from 'vitest';
import { defineEventType, type EventType } from './event-type.js';
import type { TopicSpec } from './topic-spec.js';

const topic: TopicSpec = { name: 'orders', aggregateType: 'order', partitions: 1, retentionMs: 60_000 };

describe('defineEventType', () => {
  it('takes a protobuf full name as the type', () => {
    expect(defineEventType('platform.order.v1.OrderCreated', topic, OrderCreated)).toEqual({
      type: 'platform.order.v1.OrderCreated',
      topic,
      codec: OrderCreated,
    });
  });

  it.each([
    'OrderCreated',
    'platform.order.v1.orderCreated',
    'platform.order.v1.',
    'Platform.Order.OrderCreated',
  ])('rejects %s, which is not a protobuf message full name', (type) => {
    expect(() => defineEventType(type, topic, OrderCreated)).toThrow(TypeError);
  });
});

describe("the platform's declarations (@platform/proto)", () => {
  it('are event types and topics of the runtime, with valid type names', () => {
    const types: readonly EventType<unknown>[] = platformEventTypes;
    const topics: readonly TopicSpec[] = platformTopics;
    for (const declared of types) {
      expect(defineEventType(declared.type, declared.topic, declared.codec)).toEqual(declared);
      expect(topics).toContain(declared.topic);
    }
  });
});
