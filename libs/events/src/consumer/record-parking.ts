import type { Logger } from '@platform/observability';
import { deadLetterTopicOf, retryTopicOf } from '../contracts/topic-spec.js';
import type { EventPublisher } from '../kafka/event-publisher.js';
import type { ConsumerMetrics } from './consumer-metrics.js';
import {
  deadLetterHeaders,
  describeError,
  originalHeaders,
  retryHeaders,
  type DeadLetterReason,
} from './dead-letter-headers.js';
import type { IncomingRecord, RecordOrigin } from './incoming-record.js';

/** Options of {@link RecordParking}. */
export interface RecordParkingOptions {
  /** The consumer group, namespaced: part of the retry and dead-letter topics' names. */
  readonly group: string;
  /** Publishes with acks=all: a record is parked only once the broker has it. */
  readonly publisher: EventPublisher;
  readonly metrics: ConsumerMetrics;
  readonly logger: Logger;
  /** Epoch ms now; defaults to `Date.now`. */
  readonly now?: () => number;
}

/** A retry-topic pass, as the retry schedule decided it. */
export interface RetryPass {
  /** The pass this record makes (1 for its first retry-topic record). */
  readonly pass: number;
  readonly delayMs: number;
  /** Attempts made so far, in-process ones included. */
  readonly attempts: number;
  readonly error: unknown;
}

/**
 * Parks records the group cannot apply now: in its retry topic (`<topic>.<group>.retry`) until
 * due, or in its dead-letter topic (`<topic>.<group>.dlt`). Either keeps the original key,
 * value and headers (the runtime's own headers of an earlier pass replaced) and adds where
 * the record came from and why it is parked.
 */
export class RecordParking {
  private readonly now: () => number;

  constructor(private readonly options: RecordParkingOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Publishes `incoming` to the retry topic of its origin, due after the pass's delay. */
  async retryLater(incoming: IncomingRecord, origin: RecordOrigin, retry: RetryPass): Promise<void> {
    const { error, attempts, delayMs } = retry;
    await this.park(incoming, retryTopicOf(origin.topic, this.options.group), {
      [retryHeaders.pass]: String(retry.pass),
      [retryHeaders.due]: String(this.now() + delayMs),
      [retryHeaders.attempts]: String(attempts),
      [retryHeaders.originalTopic]: origin.topic,
      [retryHeaders.originalPartition]: String(origin.partition),
      [retryHeaders.originalOffset]: origin.offset,
      [retryHeaders.error]: describeError(error),
    });
    const type = typeOf(incoming);
    this.options.metrics.retried(type, 'retry_topic');
    this.options.metrics.processed(origin.topic, type, 'retried');
    this.options.logger.warn(
      { err: error, eventId: incoming.headers['ce_id'], type, attempts, delayMs },
      'event handler failed; retrying through the retry topic',
    );
  }

  /** Publishes `incoming` to the dead-letter topic of its origin, with the reason and the error. */
  async deadLetter(
    incoming: IncomingRecord,
    origin: RecordOrigin,
    reason: DeadLetterReason,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const { group } = this.options;
    await this.park(incoming, deadLetterTopicOf(origin.topic, group), {
      [deadLetterHeaders.originalTopic]: origin.topic,
      [deadLetterHeaders.originalPartition]: String(origin.partition),
      [deadLetterHeaders.originalOffset]: origin.offset,
      [deadLetterHeaders.group]: group,
      [deadLetterHeaders.attempts]: String(attempts),
      [deadLetterHeaders.reason]: reason,
      [deadLetterHeaders.error]: describeError(error),
      [deadLetterHeaders.time]: new Date(this.now()).toISOString(),
    });
    const type = typeOf(incoming);
    this.options.metrics.deadLettered(origin.topic, reason);
    this.options.metrics.processed(origin.topic, type, 'dead_lettered');
    this.options.logger.error(
      { err: error, reason, topic: origin.topic, partition: origin.partition, offset: origin.offset, type },
      'event dead-lettered',
    );
  }

  /** Publishes the original record, with `extra` headers, to `topic` (acks=all) before its offset is resolved. */
  private park(incoming: IncomingRecord, topic: string, extra: Record<string, string>): Promise<void> {
    return this.options.publisher.publish([
      {
        topic,
        key: incoming.message.key ?? null,
        value: incoming.message.value ?? Buffer.alloc(0),
        headers: { ...originalHeaders(incoming.headers), ...extra },
      },
    ]);
  }
}

/** `ce_type` as the record carries it (a record without an envelope has none). */
function typeOf(incoming: IncomingRecord): string {
  return incoming.headers['ce_type'] ?? 'unknown';
}
