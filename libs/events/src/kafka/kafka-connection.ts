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

/** The kafkajs client behind the adapters; internal to libs/events (services never see kafkajs). */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  const logger = options.logger?.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    // Reconnects are ours to pace (the relay backs off); kafkajs retries each request a little.
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2_000 },
    logLevel: logger ? logLevel.INFO : logLevel.NOTHING,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
        logger?.[levels[level] ?? 'info'](fields, message);
      },
  });
}

/** An {@link EventPublisher} on its own idempotent producer (acks=all). */
export function createKafkaPublisher(options: KafkaConnectionOptions): EventPublisher {
  return new KafkaPublisher(createKafka(options));
}
