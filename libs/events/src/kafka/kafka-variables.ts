import { bool, duration, list, positiveInt } from '@platform/config';
import * as z from 'zod';
import { consumerTimeouts } from '../consumer/event-consumer.js';

const brokerAddress = z
  .string()
  .regex(/^[^\s:/]+:\d{1,5}$/, 'host:port')
  .describe('host:port');

/**
 * The event-layer variables every service has, for its `defineConfig({ ...kafkaVariables, … })`.
 * Without KAFKA_BROKERS nothing is published or consumed: events stay in the outbox (nothing is
 * lost) and are published once a broker is configured.
 */
export const kafkaVariables = {
  /** Bootstrap brokers, `host:port,host:port`. Unset: events wait in the outbox, no consumer runs. */
  KAFKA_BROKERS: list(brokerAddress).optional(),
  /** Prefix of every topic and consumer group: environments sharing a cluster. Defaults to none. */
  KAFKA_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-"')
    .default(''),
  /** Create the platform's topics (and this service's retry and dead-letter topics) at start. */
  KAFKA_CREATE_TOPICS: bool().default(true),
  /** Connecting to a broker fails after this long. */
  KAFKA_CONNECT_TIMEOUT: duration({ minMs: 100 }).default(3_000),
  /** Most outbox rows published in one batch. */
  EVENTS_RELAY_BATCH_SIZE: positiveInt({ max: 10_000 }).default(500),
  /** The relay looks for unpublished rows this often even without a notification. */
  EVENTS_RELAY_POLL_INTERVAL: duration({ minMs: 10 }).default(1_000),
  /** Published outbox rows (and inbox rows) are deleted after this long. */
  EVENTS_RETENTION: duration({ minMs: 60_000 }).default(7 * 24 * 60 * 60 * 1000),
  /** Attempts of a handler in process before the event goes to the retry topic. */
  EVENTS_HANDLER_ATTEMPTS: positiveInt({ max: 20 }).default(3),
  /**
   * Time budget of one handler attempt, its transaction and outgoing gRPC calls included (the
   * handler's `remainingMs()`). At most the group's session timeout: a record holds its partition.
   */
  EVENTS_HANDLER_TIMEOUT: duration({ minMs: 10, maxMs: consumerTimeouts.sessionMs }).default(
    consumerTimeouts.handlerMs,
  ),
  /** Delays of the retry topic passes, in order; after the last, the dead-letter topic. */
  EVENTS_RETRY_DELAYS: list(duration({ minMs: 0 })).default([1_000, 10_000]),
};
