import type { Config, ConfigSchema } from '@platform/config';
import type { Database, DatabaseSchema } from '@platform/db';
import type { Logger } from '@platform/observability';
import type { Registry } from 'prom-client';
import type { EventType } from '../contracts/event-type.js';
import type { TopicSpec } from '../contracts/topic-spec.js';
import { EventConsumer } from '../consumer/event-consumer.js';
import type { AnyHandlerBinding } from '../consumer/handler-binding.js';
import { ensureTopics } from '../kafka/ensure-topics.js';
import { createKafkaPublisher, type KafkaConnectionOptions } from '../kafka/kafka-connection.js';
import type { kafkaVariables } from '../kafka/kafka-variables.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';

/** The event-layer variables of a service's configuration (`...kafkaVariables`). */
export type EventsConfig = Config<ConfigSchema<typeof kafkaVariables>>;

/** One consumer group of a process. */
export interface ConsumerSpec {
  /** Without the namespace: `user-service.order-stats`. */
  group: string;
  handlers: readonly AnyHandlerBinding[];
  /** The inbox's database; without it, handlers must be idempotent themselves. */
  db?: Database<DatabaseSchema>;
}

/** Options of {@link startEvents}. */
export interface StartEventsOptions {
  config: EventsConfig;
  /** The process's name: Kafka client id, and `ce_source` `/platform/<service>`. */
  service: string;
  logger: Logger;
  registry?: Registry;
  /**
   * The topics of the platform (`platformTopics` of @platform/proto): created at start with
   * KAFKA_CREATE_TOPICS, and where the relay routes each outbox row by its aggregate type.
   */
  topics: readonly TopicSpec[];
  /**
   * Every event type that may appear on the topics consumed (`platformEventTypes`): a known type
   * a group has no handler for is skipped, an unknown one is dead-lettered.
   */
  eventTypes: readonly EventType<unknown>[];
  /** The service's outbox, published by a relay. Omit for processes that only consume. */
  outbox?: Database<DatabaseSchema>;
  consumers?: readonly ConsumerSpec[];
  /** A consumer crashed for good: the process should exit non-zero (`runService`'s `fatal`). */
  onFatal(error: unknown): void;
  /** Bound of each consumer's `stop()` before in-flight handlers are aborted. Defaults to 10 s. */
  shutdownTimeoutMs?: number;
}

/** A process's running event layer. */
export interface EventsRuntime {
  /** False when KAFKA_BROKERS is unset: events wait in the outbox, nothing is consumed. */
  readonly enabled: boolean;
  readonly relay: OutboxRelay | undefined;
  readonly consumers: readonly EventConsumer[];
  /** Consumers first (they finish in-flight records and commit), then the relay. */
  stop(): Promise<void>;
}

/**
 * Starts a process's event layer from its configuration: creates the topics (KAFKA_CREATE_TOPICS),
 * starts the outbox relay and the consumer groups. Without KAFKA_BROKERS it starts nothing and
 * says so: the outbox keeps every event until a broker is configured.
 */
export async function startEvents(options: StartEventsOptions): Promise<EventsRuntime> {
  const { config, logger } = options;
  if (!config.KAFKA_BROKERS?.length) {
    logger.warn('KAFKA_BROKERS is not set: events are kept in the outbox and nothing is consumed');
    return { enabled: false, relay: undefined, consumers: [], stop: async () => undefined };
  }
  const namespace = config.KAFKA_NAMESPACE;
  const connection = (role: string): KafkaConnectionOptions => ({
    brokers: config.KAFKA_BROKERS ?? [],
    clientId: `${options.service}.${role}`,
    connectionTimeoutMs: config.KAFKA_CONNECT_TIMEOUT,
    logger,
  });
  if (config.KAFKA_CREATE_TOPICS) {
    const created = await ensureTopics(
      connection('admin'),
      options.topics.map((topic) => ({ ...topic, name: namespace + topic.name })),
    );
    if (created.length) logger.info({ topics: created }, 'created topics');
  }
  const consumers: EventConsumer[] = [];
  let relay: OutboxRelay | undefined;
  const stop = async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await relay?.stop();
  };
  try {
    if (options.outbox) {
      const publisher = createKafkaPublisher(connection('relay'));
      relay = new OutboxRelay({
        db: options.outbox,
        publisher,
        source: `/platform/${options.service}`,
        logger: logger.child({ component: 'outbox-relay' }),
        topics: options.topics,
        ...(options.registry && { registry: options.registry }),
        namespace,
        batchSize: config.EVENTS_RELAY_BATCH_SIZE,
        pollIntervalMs: config.EVENTS_RELAY_POLL_INTERVAL,
        retentionMs: config.EVENTS_RETENTION,
      });
      relay.start();
    }
    for (const spec of options.consumers ?? []) {
      const consumer = new EventConsumer({
        group: spec.group,
        namespace,
        kafka: connection(spec.group),
        handlers: spec.handlers,
        knownTypes: options.eventTypes,
        ...(spec.db && { db: spec.db }),
        logger: logger.child({ component: 'event-consumer', group: spec.group }),
        ...(options.registry && { registry: options.registry }),
        handlerAttempts: config.EVENTS_HANDLER_ATTEMPTS,
        handlerTimeoutMs: config.EVENTS_HANDLER_TIMEOUT,
        retryDelaysMs: config.EVENTS_RETRY_DELAYS,
        retentionMs: config.EVENTS_RETENTION,
        createTopics: config.KAFKA_CREATE_TOPICS,
        onFatal: options.onFatal,
        ...(options.shutdownTimeoutMs !== undefined && { shutdownTimeoutMs: options.shutdownTimeoutMs }),
      });
      consumers.push(consumer);
      await consumer.start();
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  logger.info(
    { relay: Boolean(relay), consumers: consumers.map((consumer) => consumer.subscribedTopics), namespace },
    'event layer started',
  );
  return { enabled: true, relay, consumers, stop };
}
