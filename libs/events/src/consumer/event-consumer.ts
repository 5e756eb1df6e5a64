import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { withTransaction, type Database, type DatabaseSchema } from '@platform/db';
import type { Logger } from '@platform/observability';
import type { Consumer, EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { EventType } from '../contracts/event-type.js';
import { deadLetterTopicOf, retryTopicOf } from '../contracts/topic-spec.js';
import { readEnvelope, type EventEnvelope } from '../envelope/cloud-event-headers.js';
import type { EventPublisher, OutgoingRecord } from '../kafka/event-publisher.js';
import { ensureTopicsWith } from '../kafka/ensure-topics.js';
import { createKafka, type KafkaConnectionOptions } from '../kafka/kafka-connection.js';
import { KafkaPublisher } from '../kafka/kafka-publisher.js';
import { ConsumerCrashReport } from './consumer-crash-report.js';
import { consumerMetrics, type ConsumeOutcome, type ConsumerMetrics } from './consumer-metrics.js';
import {
  deadLetterHeaders,
  describeError,
  originalHeaders,
  retryHeaders,
  type DeadLetterReason,
} from './dead-letter-headers.js';
import type { AnyHandlerBinding, EventContext, HandlerBinding } from './handler-binding.js';
import { inbox } from './inbox.js';
import { isPermanent } from './permanent-event-error.js';

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
  /** Bound of one handler attempt (its transaction included). Defaults to 30 s. */
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
  /** Called when the consumer crashed and kafkajs will not restart it (logged at error): exit the process. */
  onFatal?: (error: Error) => void;
  /** Read new groups from the earliest offset (default) or only new records. */
  fromBeginning?: boolean;
}

/**
 * The consumer's default timeouts. A handler that takes its time (the fulfillment worker's
 * simulated work) must end well within both: the attempt fails after `handlerMs`, and the group
 * drops a member that has not heartbeated for `sessionMs` (heartbeats go between records).
 */
export const consumerTimeouts = { handlerMs: 30_000, sessionMs: 30_000 } as const;

interface Incoming {
  topic: string;
  partition: number;
  message: KafkaMessage;
  headers: Record<string, string>;
}

const tracer = trace.getTracer('@platform/events');

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

/** Rejects when `work` has not settled within `timeoutMs` (the attempt fails; `work` is left to finish). */
async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the handler did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

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
  private readonly handlers: Map<string, HandlerBinding<unknown>>;
  private readonly known: Set<string>;
  private readonly topics: string[];
  private readonly retryTopics: Map<string, string>;
  private readonly metrics: ConsumerMetrics;
  private readonly stopping = new AbortController();
  private readonly aborted = new AbortController();
  private readonly retryDelaysMs: readonly number[];
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private pruneTimer: NodeJS.Timeout | undefined;
  private stopped: Promise<void> | undefined;
  private readonly kafka;
  private readonly group: string;
  private readonly namespace: string;

  constructor(private readonly options: EventConsumerOptions) {
    this.kafka = createKafka(options.kafka);
    this.namespace = options.namespace ?? '';
    this.group = `${this.namespace}${options.group}`;
    this.handlers = new Map(options.handlers.map((binding) => [binding.eventType.type, binding]));
    this.known = new Set([...this.handlers.keys(), ...(options.knownTypes ?? []).map((type) => type.type)]);
    this.topics = [
      ...new Set(options.handlers.map((binding) => this.namespace + binding.eventType.topic.name)),
    ];
    this.retryTopics = new Map(this.topics.map((topic) => [retryTopicOf(topic, this.group), topic]));
    this.retryDelaysMs = options.retryDelaysMs ?? [1_000, 10_000];
    this.metrics = consumerMetrics(options.registry, this.group);
    this.publisher = new KafkaPublisher(this.kafka);
    const sessionTimeout = options.sessionTimeoutMs ?? consumerTimeouts.sessionMs;
    this.consumer = this.kafka.consumer({
      groupId: this.group,
      allowAutoTopicCreation: false,
      sessionTimeout,
      // kafkajs requires it below the session timeout; a third of it, as kafkajs advises, at most 3 s.
      heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
    });
    const crashes = new ConsumerCrashReport(options.logger, this.group, options.onFatal);
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      crashes.crashed(payload, this.stopping.signal.aborted),
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => crashes.joined());
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
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 4,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    if (this.options.db) {
      const db = this.options.db;
      const retentionMs = this.options.retentionMs ?? 7 * 24 * 60 * 60 * 1000;
      this.pruneTimer = setInterval(
        () => {
          inbox.prune(db, group, new Date(Date.now() - retentionMs)).catch((error: unknown) => {
            this.options.logger.warn({ err: error }, 'inbox prune failed');
          });
        },
        60 * 60 * 1000,
      );
      this.pruneTimer.unref();
    }
  }

  /** Stops fetching, lets in-flight records finish (aborting them after the shutdown bound), commits and disconnects. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort(new Error('the consumer is stopping'));
      clearInterval(this.pruneTimer);
      for (const timer of this.resumeTimers) clearTimeout(timer);
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

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    const fromRetryTopic = this.retryTopics.has(batch.topic);
    let lastOffset: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.stopping.signal.aborted) break;
      const incoming: Incoming = {
        topic: batch.topic,
        partition: batch.partition,
        message,
        headers: headerStrings(message.headers),
      };
      if (fromRetryTopic) {
        const waitMs = Number(incoming.headers[retryHeaders.due] ?? 0) - Date.now();
        if (waitMs > 0) {
          // The partition waits until its head record is due; later records are due later.
          this.consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: message.offset });
          const timer = setTimeout(() => {
            this.resumeTimers.delete(timer);
            this.consumer.resume([{ topic: batch.topic, partitions: [batch.partition] }]);
          }, waitMs);
          this.resumeTimers.add(timer);
          break;
        }
      }
      // Left unresolved (not committed) when its handler gave up because the consumer stops:
      // the group delivers it again.
      if (!(await this.process(incoming))) break;
      resolveOffset(message.offset);
      lastOffset = message.offset;
      await heartbeat();
    }
    if (lastOffset !== undefined) {
      const lag = Number(batch.highWatermark) - Number(lastOffset) - 1;
      this.metrics.lag(batch.topic, batch.partition, Math.max(0, lag));
    }
    await commitOffsetsIfNecessary();
  }

  /**
   * Handles one record to an end (applied, skipped, retried later, or parked) and returns true;
   * false when its attempt failed while the consumer stops (no further attempt: the record is
   * left uncommitted for the group). Throws only when it could not be parked.
   */
  private async process(incoming: Incoming): Promise<boolean> {
    const origin = this.originOf(incoming);
    let envelope: EventEnvelope;
    try {
      envelope = readEnvelope(incoming.headers);
    } catch (error) {
      await this.deadLetter(incoming, origin, 'invalid-envelope', error, 0);
      return true;
    }
    const binding = this.handlers.get(envelope.type);
    if (!binding) {
      if (this.known.has(envelope.type)) this.done(origin.topic, envelope.type, 'ignored');
      else {
        const unknown = new Error(`no event type ${envelope.type}`);
        await this.deadLetter(incoming, origin, 'unknown-type', unknown, 0);
      }
      return true;
    }
    let event: unknown;
    try {
      event = binding.eventType.codec.decode(incoming.message.value ?? Buffer.alloc(0));
    } catch (error) {
      await this.deadLetter(incoming, origin, 'undecodable', error, 0);
      return true;
    }
    const attemptsBefore = Number(incoming.headers[retryHeaders.attempts] ?? 0);
    const attempts = this.options.handlerAttempts ?? 3;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const applied = await this.apply(
          binding,
          event,
          envelope,
          incoming,
          origin,
          attemptsBefore + attempt,
        );
        this.done(origin.topic, envelope.type, applied ? 'handled' : 'duplicate');
        return true;
      } catch (error) {
        lastError = error;
        if (isPermanent(error)) {
          await this.deadLetter(incoming, origin, 'permanent-error', error, attemptsBefore + attempt);
          return true;
        }
        if (this.stopping.signal.aborted) return this.leftForRedelivery(envelope, origin, error);
        if (attempt < attempts) {
          this.metrics.retried(envelope.type, 'in_process');
          const base = (this.options.backoffMs ?? 100) * 2 ** (attempt - 1);
          await sleep(base / 2 + Math.random() * base, this.stopping.signal);
          if (this.stopping.signal.aborted) return this.leftForRedelivery(envelope, origin, error);
        }
      }
    }
    const pass = Number(incoming.headers[retryHeaders.pass] ?? 0);
    if (pass < this.retryDelaysMs.length) {
      await this.retryLater(incoming, origin, envelope, pass, attemptsBefore + attempts, lastError);
    } else {
      await this.deadLetter(incoming, origin, 'retries-exhausted', lastError, attemptsBefore + attempts);
    }
    return true;
  }

  /** A stop began while the record was failing: no further attempt, its offset stays uncommitted. */
  private leftForRedelivery(envelope: EventEnvelope, origin: Origin, error: unknown): false {
    this.options.logger.info(
      { eventId: envelope.id, type: envelope.type, ...origin, reason: (error as Error).message },
      'consumer stopping: event left for redelivery',
    );
    return false;
  }

  /** Runs the handler (with the inbox claim, in one transaction); false when the event was already applied. */
  private async apply(
    binding: HandlerBinding<unknown>,
    event: unknown,
    envelope: EventEnvelope,
    incoming: Incoming,
    origin: Origin,
    attempt: number,
  ): Promise<boolean> {
    const { db } = this.options;
    const { group } = this;
    const parent = propagation.extract(context.active(), incoming.headers);
    const span = tracer.startSpan(`${origin.topic} process`, { kind: SpanKind.CONSUMER }, parent);
    // Attributes only for a span that is recorded (tracing off: no allocation per record).
    if (span.isRecording()) {
      span.setAttributes({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': origin.topic,
        'messaging.consumer.group.name': group,
        'messaging.message.id': envelope.id,
        'messaging.kafka.offset': Number(incoming.message.offset),
        'cloudevents.event_type': envelope.type,
        'messaging.delivery_attempt': attempt,
      });
    }
    const started = process.hrtime.bigint();
    const timeoutMs = this.options.handlerTimeoutMs ?? consumerTimeouts.handlerMs;
    // One signal for every handler (it aborts when shutdown runs out of time); the timeout of an
    // attempt bounds its transaction, or races a database-less handler. No per-record
    // AbortSignal: allocating two per record was most of the runtime's overhead.
    const signal = this.aborted.signal;
    const stopping = this.stopping.signal;
    const run = async (): Promise<boolean> => {
      if (!db) {
        const handlerContext: EventContext = {
          envelope,
          ...origin,
          attempt,
          signal,
          stopping,
          tx: undefined,
        };
        await withTimeout(binding.handle(event, handlerContext), timeoutMs);
        return true;
      }
      return withTransaction(
        db,
        async (tx) => {
          if (!(await inbox.claim(tx, group, envelope.id, envelope.type))) return false;
          await binding.handle(event, { envelope, ...origin, attempt, signal, stopping, tx });
          return true;
        },
        { signal, timeoutMs },
      );
    };
    try {
      // The handler runs in the span's context (its outgoing calls continue the trace); with
      // tracing off and no incoming trace there is no context to carry.
      const traced = span.isRecording() || trace.getSpanContext(parent) !== undefined;
      return await (traced ? context.with(trace.setSpan(parent, span), run) : run());
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
      this.metrics.handlerSeconds(envelope.type, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  private originOf(incoming: Incoming): Origin {
    if (!this.retryTopics.has(incoming.topic)) {
      return { topic: incoming.topic, partition: incoming.partition, offset: incoming.message.offset };
    }
    return {
      topic:
        incoming.headers[retryHeaders.originalTopic] ??
        this.retryTopics.get(incoming.topic) ??
        incoming.topic,
      partition: Number(incoming.headers[retryHeaders.originalPartition] ?? incoming.partition),
      offset: incoming.headers[retryHeaders.originalOffset] ?? incoming.message.offset,
    };
  }

  private done(topic: string, type: string, outcome: ConsumeOutcome): void {
    this.metrics.processed(topic, type, outcome);
  }

  private async retryLater(
    incoming: Incoming,
    origin: Origin,
    envelope: EventEnvelope,
    pass: number,
    attempts: number,
    error: unknown,
  ): Promise<void> {
    const delayMs = this.retryDelaysMs[pass] ?? 0;
    await this.park(incoming, retryTopicOf(origin.topic, this.group), {
      [retryHeaders.pass]: String(pass + 1),
      [retryHeaders.due]: String(Date.now() + delayMs),
      [retryHeaders.attempts]: String(attempts),
      [retryHeaders.originalTopic]: origin.topic,
      [retryHeaders.originalPartition]: String(origin.partition),
      [retryHeaders.originalOffset]: origin.offset,
      [retryHeaders.error]: describeError(error),
    });
    this.metrics.retried(envelope.type, 'retry_topic');
    this.done(origin.topic, envelope.type, 'retried');
    this.options.logger.warn(
      { err: error, eventId: envelope.id, type: envelope.type, attempts, delayMs },
      'event handler failed; retrying through the retry topic',
    );
  }

  private async deadLetter(
    incoming: Incoming,
    origin: Origin,
    reason: DeadLetterReason,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    await this.park(incoming, deadLetterTopicOf(origin.topic, this.group), {
      [deadLetterHeaders.originalTopic]: origin.topic,
      [deadLetterHeaders.originalPartition]: String(origin.partition),
      [deadLetterHeaders.originalOffset]: origin.offset,
      [deadLetterHeaders.group]: this.group,
      [deadLetterHeaders.attempts]: String(attempts),
      [deadLetterHeaders.reason]: reason,
      [deadLetterHeaders.error]: describeError(error),
      [deadLetterHeaders.time]: new Date().toISOString(),
    });
    const type = incoming.headers['ce_type'] ?? 'unknown';
    this.metrics.deadLettered(origin.topic, reason);
    this.done(origin.topic, type, 'dead_lettered');
    this.options.logger.error(
      { err: error, reason, topic: origin.topic, partition: origin.partition, offset: origin.offset, type },
      'event dead-lettered',
    );
  }

  /** Publishes the original record, with `extra` headers, to `topic` (acks=all) before its offset is resolved. */
  private park(incoming: Incoming, topic: string, extra: Record<string, string>): Promise<void> {
    const record: OutgoingRecord = {
      topic,
      key: incoming.message.key ?? null,
      value: incoming.message.value ?? Buffer.alloc(0),
      headers: { ...originalHeaders(incoming.headers), ...extra },
    };
    return this.publisher.publish([record]);
  }
}

interface Origin {
  topic: string;
  partition: number;
  offset: string;
}
