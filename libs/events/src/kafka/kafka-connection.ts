import type { Logger } from '@platform/observability';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { EventPublisher } from './event-publisher.js';
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

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * kafkajs warnings that do not apply here: the relay's producer is idempotent with bounded
 * retries on purpose (at-least-once; consumers deduplicate by event id, and a bounded publish
 * lets the relay back off and stop cleanly while Kafka is down).
 */
const quiet = ['Limiting retries for the idempotent producer'];

/**
 * kafkajs logs every error response at ERROR before it retries the request (a coordinator still
 * loading, a leader moving): those are warnings; what kafkajs gives up on reaches us as errors.
 */
function levelOf(level: number, message: string): 'error' | 'warn' | 'info' | 'debug' {
  if (quiet.some((prefix) => message.startsWith(prefix))) return 'debug';
  if (level === logLevel.ERROR && message.startsWith('Response ')) return 'warn';
  return levels[level] ?? 'info';
}

/** The kafkajs client behind the adapters; internal to libs/events (services never see kafkajs). */
export function createKafka(options: KafkaConnectionOptions): Kafka {
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
        logger?.[levelOf(level, message)](fields, message);
      },
  });
}

/** An {@link EventPublisher} on its own idempotent producer (acks=all). */
export function createKafkaPublisher(options: KafkaConnectionOptions): EventPublisher {
  return new KafkaPublisher(createKafka(options));
}
