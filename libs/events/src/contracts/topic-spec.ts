/**
 * A Kafka topic as code: created at start in local runs (`ensureTopics`), documented by this
 * declaration. The runtime takes topics as data; the platform's are declared next to their
 * messages (`orderEventsTopic`, `userEventsTopic`, `platformTopics` of @platform/proto).
 */
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

/** A consumer group's retry topic for one source topic: messages wait there until due. */
export function retryTopicOf(topic: string, group: string): string {
  return `${topic}.${group}.retry`;
}

/** A consumer group's dead-letter topic for one source topic. */
export function deadLetterTopicOf(topic: string, group: string): string {
  return `${topic}.${group}.dlt`;
}
