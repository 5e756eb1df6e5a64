import { orderCancelled, orderConfirmed, orderCreated, orderEventsTopic } from './order-events.js';
import { userCreated, userDeactivated, userEventsTopic } from './user-events.js';

/** Every topic the platform publishes to: what a service creates at start and its relay routes to. */
export const platformTopics = [orderEventsTopic, userEventsTopic] as const;

/**
 * Every platform event type: a consumer skips a known type it has no handler for, and
 * dead-letters one not in this list.
 */
export const platformEventTypes: readonly (
  | typeof orderCreated
  | typeof orderConfirmed
  | typeof orderCancelled
  | typeof userCreated
  | typeof userDeactivated
)[] = [orderCreated, orderConfirmed, orderCancelled, userCreated, userDeactivated];
