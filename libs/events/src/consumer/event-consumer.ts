import type { Database, DatabaseSchema } from '@platform/db';
import type { Logger } from '@platform/observability';
import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { EventType } from '../contracts/event-type.js';
import { deadLetterTopicOf, retryTopicOf } from '../contracts/topic-spec.js';
import type { EventPublisher } from '../kafka/event-publisher.js';
import { ensureTopicsWith } from '../kafka/ensure-topics.js';
import { createKafka, type KafkaConnectionOptions } from '../kafka/kafka-connection.js';
import { KafkaPublisher } from '../kafka/kafka-publisher.js';
import { ConsumerCrashReport } from './consumer-crash-report.js';
import { consumerMetrics } from './consumer-metrics.js';
import { FetchLoop } from './fetch-loop.js';
import type { AnyHandlerBinding } from './handler-binding.js';
import { inbox } from './inbox.js';
import { RecordParking } from './record-parking.js';
import { RecordProcessor } from './record-processor.js';
import { RetrySchedule } from './retry-schedule.js';

/** Options of {@link EventConsumer}. */
export interface EventConsumerOptions {
  /** The consumer group: one per kind of reaction (e.g. `user-service.order-stats`). */
  group: string;
  /**
   * Prefix of every topic and of the group id (`KAFKA_NAMESPACE`): environments sharing a
   * cluster, test suites sharing a broker. Defaults to none.
   */
  namespace?: string;
  kafka: KafkaConnectionOptions;
  handlers: readonly AnyHandlerBinding[];
  /**
   * Types that may appear on the subscribed topics: a known type without a handler here is
   * skipped; an unknown one is dead-lettered. Defaults to the handlers' types.
   */
  knownTypes?: readonly EventType<unknown>[];
  /** With a database, each event is recorded in its inbox in the handler's transaction. */
  db?: Database<DatabaseSchema>;
  logger: Logger;
  registry?: Registry;
  /** In-process attempts before the retry topic. Defaults to 3. */
  handlerAttempts?: number;
  /** First in-process backoff (doubling, jittered). Defaults to 100 ms. */
  backoffMs?: number;
  /** Delay of each retry-topic pass; after the last, the dead-letter topic. Defaults to [1 s, 10 s]. */
  retryDelaysMs?: readonly number[];
  /**
   * Time budget of one handler attempt, its transaction and outgoing calls included: the deadline
   * of the attempt's call scope (`remainingMs()` in the handler). Defaults to 30 s.
   */
  handlerTimeoutMs?: number;
  /**
   * The group's session timeout: the consumer heartbeats between records, so one record's
   * handling must stay well below it. Defaults to 30 s (the broker accepts 6 s to 30 min).
   */
  sessionTimeoutMs?: number;
  /** Bound of `stop()`: in-flight handlers are aborted after it. Defaults to 10 s. */
  shutdownTimeoutMs?: number;
  /** Inbox rows older than this are deleted (hourly). Defaults to 7 days. */
  retentionMs?: number;
  /** Create the retry and dead-letter topics at start. Defaults to true. */
  createTopics?: boolean;
  /** Partitions processed at once. Defaults to 4. */
  partitionsConsumedConcurrently?: number;
  /**
   * Called when the consumer crashed for good (logged at error): exit the process. A transient
   * crash (the cluster away) never comes here: the consumer restarts.
   */
  onFatal?: (error: Error) => void;
  /** Read new groups from the earliest offset (default) or only new records. */
  fromBeginning?: boolean;
}

/**
 * The consumer's default timeouts. A handler that takes its time (the fulfillment worker's
 * simulated work) must end well within both: the attempt fails after `handlerMs`, and the group
 * drops a member that has not heartbeated for `sessionMs` (heartbeats go between records).
 * `fetchWaitMs` is how long the broker holds a fetch that finds nothing.
 */
export const consumerTimeouts = { handlerMs: 30_000, sessionMs: 30_000, fetchWaitMs: 500 } as const;

/**
 * The consumer runtime: at-least-once, no double effect, nothing dropped.
 *
 * - Records are decoded by `ce_type`; each is handled in a transaction that also records its
 *   `ce_id` in the inbox (a redelivery is skipped), and its offset is committed only after.
 * - A failing handler is retried in process (backoff), then through the group's retry topic
 *   (`<topic>.<group>.retry`, whose partition waits until the record is due), then parked in
 *   the dead-letter topic (`<topic>.<group>.dlt`) with the original key, value and headers and
 *   where and why. Undecodable records and unknown types go there at once.
 * - Per-partition order holds for records handled on their first delivery.
 * - `stop()`: no new fetch, in-flight work finishes (bounded), offsets committed, disconnected; a
 *   record whose attempt fails once the stop began (a handler giving up on `context.stopping`)
 *   gets no further attempt and stays uncommitted: the group delivers it again.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly publisher: EventPublisher;
  private readonly topics: string[];
  private readonly retryTopics: Map<string, string>;
  private readonly fetchLoop: FetchLoop;
  private readonly stopping = new AbortController();
  private readonly aborted = new AbortController();
  private stopPruning: (() => void) | undefined;
  private readonly crashes: ConsumerCrashReport;
  private readonly runConfig: ConsumerRunConfig;
  private stopped: Promise<void> | undefined;
  private readonly kafka;
  private readonly group: string;
  private readonly namespace: string;

  constructor(private readonly options: EventConsumerOptions) {
    this.kafka = createKafka(options.kafka);
    this.namespace = options.namespace ?? '';
    this.group = `${this.namespace}${options.group}`;
    this.topics = [
      ...new Set(options.handlers.map((binding) => this.namespace + binding.eventType.topic.name)),
    ];
    this.retryTopics = new Map(this.topics.map((topic) => [retryTopicOf(topic, this.group), topic]));
    const metrics = consumerMetrics(options.registry, this.group);
    this.publisher = new KafkaPublisher(this.kafka);
    const processor = new RecordProcessor({
      handlers: options.handlers,
      knownTypes: options.knownTypes ?? [],
      retryTopics: this.retryTopics,
      attempt: {
        group: this.group,
        db: options.db,
        timeoutMs: options.handlerTimeoutMs ?? consumerTimeouts.handlerMs,
        // Aborts when shutdown runs out of time; each attempt's call scope follows it and adds
        // the attempt's own deadline.
        signal: this.aborted.signal,
        stopping: this.stopping.signal,
      },
      schedule: new RetrySchedule(
        {
          handlerAttempts: options.handlerAttempts ?? 3,
          backoffMs: options.backoffMs ?? 100,
          retryDelaysMs: options.retryDelaysMs ?? [1_000, 10_000],
        },
        { stopping: this.stopping.signal },
      ),
      parking: new RecordParking({
        group: this.group,
        publisher: this.publisher,
        metrics,
        logger: options.logger,
      }),
      metrics,
      logger: options.logger,
    });
    const sessionTimeout = options.sessionTimeoutMs ?? consumerTimeouts.sessionMs;
    this.consumer = this.kafka.consumer({
      groupId: this.group,
      allowAutoTopicCreation: false,
      sessionTimeout,
      // kafkajs requires it below the session timeout; a third of it, as kafkajs advises, at most 3 s.
      heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
      // How long the broker holds a fetch that finds nothing (a record is returned as soon as
      // one arrives). A stop waits for the fetch in flight, so kafkajs's 5 s default made every
      // stop of an idle consumer (a service's SIGTERM) take up to 5 s; 500 ms is
      // the Java client's default (fetch.max.wait.ms), at two empty fetches a second when idle.
      maxWaitTimeInMs: consumerTimeouts.fetchWaitMs,
    });
    this.fetchLoop = new FetchLoop({
      consumer: this.consumer,
      retryTopics: new Set(this.retryTopics.keys()),
      process: (incoming) => processor.process(incoming),
      stopping: this.stopping.signal,
      lag: (topic, partition, lag) => metrics.lag(topic, partition, lag),
    });
    this.runConfig = {
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4,
      eachBatch: (payload) => this.fetchLoop.eachBatch(payload),
    };
    const crashes = new ConsumerCrashReport({
      logger: options.logger,
      group: this.group,
      onFatal: options.onFatal,
      restart: () => void this.resume(),
    });
    this.crashes = crashes;
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      crashes.crashed(payload, this.stopping.signal.aborted),
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => crashes.joined());
  }

  /** Runs the consumer again after a transient crash kafkajs left stopped (kafkajs disconnected it). */
  private async resume(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    try {
      await this.consumer.connect();
      await this.consumer.run(this.runConfig);
    } catch (error) {
      this.crashes.crashed({ error: error as Error, restart: false }, this.stopping.signal.aborted);
    }
  }

  /** Topics this consumer reads: the handlers' topics and its retry topics. */
  get subscribedTopics(): string[] {
    return [...this.topics, ...this.retryTopics.keys()];
  }

  /** Creates the group's retry and dead-letter topics (unless told not to), joins the group and starts consuming. */
  async start(): Promise<void> {
    const { group } = this;
    if (this.options.createTopics ?? true) {
      const sources = this.options.handlers.map((binding) => ({
        ...binding.eventType.topic,
        name: this.namespace + binding.eventType.topic.name,
      }));
      await ensureTopicsWith(
        this.kafka,
        [...new Map(sources.map((topic) => [topic.name, topic])).values()].flatMap((topic) => [
          { ...topic, name: retryTopicOf(topic.name, group) },
          {
            ...topic,
            name: deadLetterTopicOf(topic.name, group),
            partitions: 1,
            retentionMs: 4 * topic.retentionMs,
          },
        ]),
      );
    }
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.subscribedTopics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run(this.runConfig);
    if (this.options.db) {
      const retentionMs = this.options.retentionMs ?? 7 * 24 * 60 * 60 * 1000;
      this.stopPruning = inbox.schedulePruning(this.options.db, group, retentionMs, this.options.logger);
    }
  }

  /** Stops fetching, lets in-flight records finish (aborting them after the shutdown bound), commits and disconnects. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort(new Error('the consumer is stopping'));
      this.crashes.cancel();
      this.stopPruning?.();
      this.fetchLoop.stop();
      const bound = setTimeout(
        () => this.aborted.abort(new Error('shutdown timeout')),
        this.options.shutdownTimeoutMs ?? 10_000,
      );
      try {
        await this.consumer.disconnect();
      } finally {
        clearTimeout(bound);
        await this.publisher.close().catch(() => undefined);
      }
    })();
    return this.stopped;
  }
}
