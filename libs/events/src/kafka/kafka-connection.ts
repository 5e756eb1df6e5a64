import type { Logger } from '@platform/observability';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { EventPublisher } from './event-publisher.js';
import { fixIdleRequestQueue } from './idle-request-queue.js';
import { kafkaLogLevel } from './kafka-log-level.js';
import { KafkaPublisher } from './kafka-publisher.js';

/** Where the brokers are and who connects; the settings every Kafka part of a process shares. */
export interface KafkaConnectionOptions {
  brokers: readonly string[];
  /** Names the process in broker logs and quotas. */
  clientId: string;
  connectionTimeoutMs?: number;
  /** kafkajs's own log lines go here (info and above). */
  logger?: Logger;
}

/** The kafkajs client behind the adapters; internal to libs/events (services never see kafkajs). */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  fixIdleRequestQueue();
  const logger = options.logger?.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    // kafkajs retries each request for about 10 s (a topic just created, a coordinator still
    // loading); longer outages are paced by the relay's backoff and the consumer's restarts.
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 3_000 },
    logLevel: logger ? logLevel.INFO : logLevel.NOTHING,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
        logger?.[kafkaLogLevel(level, message)](fields, message);
      },
  });
}

/** An {@link EventPublisher} on its own idempotent producer (acks=all). */
export function createKafkaPublisher(options: KafkaConnectionOptions): EventPublisher {
  return new KafkaPublisher(createKafka(options));
}
