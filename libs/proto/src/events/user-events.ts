import { UserCreated, UserDeactivated } from '../gen/index.platform.user.v1.js';
import type { EventDeclaration } from './event-declaration.js';
import { eventRetentionMs } from './event-retention.js';

/** The user service's Kafka topic, keyed by user id (the fields of @platform/events's `TopicSpec`). */
export const userEventsTopic = {
  name: 'user.events.v1',
  aggregateType: 'user',
  partitions: 3,
  retentionMs: eventRetentionMs,
} as const;

/** UserCreated on `user.events.v1`: an `EventType` of @platform/events, by its fields. */
export const userCreated: EventDeclaration<typeof userEventsTopic, typeof UserCreated> = {
  type: 'platform.user.v1.UserCreated',
  topic: userEventsTopic,
  codec: UserCreated,
};

/** UserDeactivated on `user.events.v1`. */
export const userDeactivated: EventDeclaration<typeof userEventsTopic, typeof UserDeactivated> = {
  type: 'platform.user.v1.UserDeactivated',
  topic: userEventsTopic,
  codec: UserDeactivated,
};
