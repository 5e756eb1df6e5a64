/** A Kafka topic as code: created at start in local runs (`ensureTopics`), documented by this declaration. */
export interface TopicSpec {
  /** `<aggregate>.events.v<major>`: a breaking change of its events is a new topic. */
  readonly name: string;
  /** Outbox rows whose `aggregatetype` is this are published to this topic (Debezium's routing). */
  readonly aggregateType: string;
  /** Per-aggregate order holds because the key is the aggregate id; more partitions, more parallel consumers. */
  readonly partitions: number;
  /** How long Kafka keeps events; consumers replaying or rebuilding a projection must do it within this. */
  readonly retentionMs: number;
}

const day = 24 * 60 * 60 * 1000;

/** Order lifecycle events (OrderCreated, OrderConfirmed, OrderCancelled), keyed by order id. */
export const orderEventsTopic: TopicSpec = {
  name: 'order.events.v1',
  aggregateType: 'order',
  partitions: 6,
  retentionMs: 7 * day,
};

/** Account events (UserCreated, UserDeactivated), keyed by user id. */
export const userEventsTopic: TopicSpec = {
  name: 'user.events.v1',
  aggregateType: 'user',
  partitions: 3,
  retentionMs: 7 * day,
};

/** Every topic the platform publishes to. */
export const platformTopics: readonly TopicSpec[] = [orderEventsTopic, userEventsTopic];

/** A consumer group's retry topic for one source topic: messages wait there until due. */
export function retryTopicOf(topic: string, group: string): string {
  return `${topic}.${group}.retry`;
}

/** A consumer group's dead-letter topic for one source topic. */
export function deadLetterTopicOf(topic: string, group: string): string {
  return `${topic}.${group}.dlt`;
}
