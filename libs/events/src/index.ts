// Public API of @platform/events: at-least-once events on Kafka. Services record events in
// their transactions (`recordEvent`), run the relay, and consume with handlers (`on`); kafkajs
// stays behind these interfaces. The runtime declares no event: topics and event types are data
// it is given (the platform's are in @platform/proto).
export { deadLetterTopicOf, retryTopicOf, type TopicSpec } from './contracts/topic-spec.js';
export { defineEventType, type EventType, type MessageCodec } from './contracts/event-type.js';
export {
  cloudEventHeaders,
  contentType,
  EnvelopeError,
  readEnvelope,
  type EnvelopeFields,
  type EventEnvelope,
} from './envelope/cloud-event-headers.js';
export { eventRecord, type EventRecordOptions } from './envelope/event-record.js';
export { outboxChannel, recordEvent } from './outbox/record-event.js';
export { eventMigrationsDir, migrateEventTables } from './outbox/event-migrations.js';
export { OutboxRelay, type OutboxRelayOptions } from './outbox/outbox-relay.js';
export type { OutboxBacklog } from './outbox/outbox-metrics.js';
export type { EventPublisher, OutgoingRecord } from './kafka/event-publisher.js';
export { createKafkaPublisher, type KafkaConnectionOptions } from './kafka/kafka-connection.js';
export { ensureTopics, type TopicToCreate } from './kafka/ensure-topics.js';
export { kafkaVariables } from './kafka/kafka-variables.js';
export { consumerTimeouts, EventConsumer, type EventConsumerOptions } from './consumer/event-consumer.js';
export {
  on,
  type AnyHandlerBinding,
  type EventContext,
  type EventHandler,
  type HandlerBinding,
} from './consumer/handler-binding.js';
export { isPermanent, PermanentEventError } from './consumer/permanent-event-error.js';
export {
  deadLetterHeaders,
  originalHeaders,
  retryHeaders,
  type DeadLetterReason,
} from './consumer/dead-letter-headers.js';
export type { ConsumeOutcome } from './consumer/consumer-metrics.js';
export {
  startEvents,
  type ConsumerSpec,
  type EventsConfig,
  type EventsRuntime,
  type StartEventsOptions,
} from './runtime/start-events.js';
