import { OrderCancelled, OrderConfirmed, OrderCreated, UserCreated, UserDeactivated } from '@platform/proto';
import { defineEventType } from './event-type.js';
import { orderEventsTopic, userEventsTopic } from './topic-spec.js';

/** The platform's events: protobuf payloads from protos/platform/<service>/v1/*_events.proto. */
export const orderCreated = defineEventType('platform.order.v1.OrderCreated', orderEventsTopic, OrderCreated);
export const orderConfirmed = defineEventType(
  'platform.order.v1.OrderConfirmed',
  orderEventsTopic,
  OrderConfirmed,
);
export const orderCancelled = defineEventType(
  'platform.order.v1.OrderCancelled',
  orderEventsTopic,
  OrderCancelled,
);
export const userCreated = defineEventType('platform.user.v1.UserCreated', userEventsTopic, UserCreated);
export const userDeactivated = defineEventType(
  'platform.user.v1.UserDeactivated',
  userEventsTopic,
  UserDeactivated,
);

/** Every platform event type, for consumers' `knownTypes`. */
export const platformEventTypes = [
  orderCreated,
  orderConfirmed,
  orderCancelled,
  userCreated,
  userDeactivated,
];
