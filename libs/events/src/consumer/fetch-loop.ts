import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { retryHeaders } from './dead-letter-headers.js';
import { headerStrings, type IncomingRecord } from './incoming-record.js';

/** What the fetch loop does to a partition of the kafkajs consumer: hold it at a record until due. */
export type PartitionControl = Pick<Consumer, 'pause' | 'seek' | 'resume'>;

/** The parts of kafkajs's `eachBatch` payload the loop uses. */
export type FetchedBatch = Pick<
  EachBatchPayload,
  'resolveOffset' | 'heartbeat' | 'isRunning' | 'isStale' | 'commitOffsetsIfNecessary'
> & {
  readonly batch: {
    readonly topic: string;
    readonly partition: number;
    readonly highWatermark: string;
    readonly messages: readonly Pick<KafkaMessage, 'key' | 'value' | 'offset' | 'headers'>[];
  };
};

/** Options of {@link FetchLoop}. */
export interface FetchLoopOptions {
  readonly consumer: PartitionControl;
  /** The group's retry topics: their records wait until their `retry-due` time. */
  readonly retryTopics: ReadonlySet<string>;
  /** Takes one record to an end; false leaves it (and the rest of its batch) unresolved. */
  readonly process: (incoming: IncomingRecord) => Promise<boolean>;
  /** Aborts when the consumer begins to stop: no further record is started. */
  readonly stopping: AbortSignal;
  /** Records the partition's lag after the batch (`events_consumer_lag`). */
  readonly lag: (topic: string, partition: number, lag: number) => void;
}

/**
 * The consumer's fetch loop (kafkajs `eachBatch`): the records of a partition in order, each
 * offset resolved only after its record was taken to an end, a heartbeat between records, and
 * the offsets committed at the end of the batch. A retry-topic partition waits until its head
 * record is due: it is paused and sought back to that record, and resumed when it is due.
 */
export class FetchLoop {
  private readonly resumeTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: FetchLoopOptions) {}

  async eachBatch(payload: FetchedBatch): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    const { consumer, stopping } = this.options;
    const fromRetryTopic = this.options.retryTopics.has(batch.topic);
    let lastOffset: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || stopping.aborted) break;
      const incoming: IncomingRecord = {
        topic: batch.topic,
        partition: batch.partition,
        message,
        headers: headerStrings(message.headers),
      };
      if (fromRetryTopic) {
        const waitMs = Number(incoming.headers[retryHeaders.due] ?? 0) - Date.now();
        if (waitMs > 0) {
          // The partition waits until its head record is due; later records are due later.
          const partition = [{ topic: batch.topic, partitions: [batch.partition] }];
          consumer.pause(partition);
          consumer.seek({ topic: batch.topic, partition: batch.partition, offset: message.offset });
          const timer = setTimeout(() => {
            this.resumeTimers.delete(timer);
            consumer.resume(partition);
          }, waitMs);
          this.resumeTimers.add(timer);
          break;
        }
      }
      // Left unresolved (not committed) when its handler gave up because the consumer stops:
      // the group delivers it again.
      if (!(await this.options.process(incoming))) break;
      resolveOffset(message.offset);
      lastOffset = message.offset;
      await heartbeat();
    }
    if (lastOffset !== undefined) {
      const lag = Number(batch.highWatermark) - Number(lastOffset) - 1;
      this.options.lag(batch.topic, batch.partition, Math.max(0, lag));
    }
    await commitOffsetsIfNecessary();
  }

  /** Cancels the pending resumes of waiting retry partitions (the consumer stops). */
  stop(): void {
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
  }
}
