import { OrderCancelled, OrderConfirmed, OrderCreated } from '../gen/index.platform.order.v1.js';
import type { EventDeclaration } from './event-declaration.js';
import { eventRetentionMs } from './event-retention.js';

/**
 * The order service's Kafka topic, keyed by order id: per-order events keep their order. Its
 * fields are those of @platform/events's `TopicSpec` (libs/proto imports no runtime lib).
 */
export const orderEventsTopic = {
  name: 'order.events.v1',
  aggregateType: 'order',
  partitions: 6,
  retentionMs: eventRetentionMs,
} as const;

/** OrderCreated on `order.events.v1`: an `EventType` of @platform/events, by its fields. */
export const orderCreated: EventDeclaration<typeof orderEventsTopic, typeof OrderCreated> = {
  type: 'platform.order.v1.OrderCreated',
  topic: orderEventsTopic,
  codec: OrderCreated,
};

/** OrderConfirmed on `order.events.v1`. */
export const orderConfirmed: EventDeclaration<typeof orderEventsTopic, typeof OrderConfirmed> = {
  type: 'platform.order.v1.OrderConfirmed',
  topic: orderEventsTopic,
  codec: OrderConfirmed,
};

/** OrderCancelled on `order.events.v1`. */
export const orderCancelled: EventDeclaration<typeof orderEventsTopic, typeof OrderCancelled> = {
  type: 'platform.order.v1.OrderCancelled',
  topic: orderEventsTopic,
  codec: OrderCancelled,
};
