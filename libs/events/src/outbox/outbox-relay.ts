import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  holdAdvisoryLock,
  listen,
  readStatement,
  withTransaction,
  type AdvisoryLock,
  type Database,
  type DatabaseSchema,
} from '@platform/db';
import type { Logger } from '@platform/observability';
import { sql } from 'drizzle-orm';
import type { Registry } from 'prom-client';
import type { TopicSpec } from '../contracts/topic-spec.js';
import { cloudEventHeaders } from '../envelope/cloud-event-headers.js';
import type { EventPublisher, OutgoingRecord } from '../kafka/event-publisher.js';
import { outboxMetrics, type OutboxBacklog, type OutboxMetrics } from './outbox-metrics.js';
import { outboxChannel } from './record-event.js';
import { cappedBackoffMs } from '../runtime/capped-backoff.js';

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  db: Database<DatabaseSchema>;
  publisher: EventPublisher;
  /** `ce_source` of every event: the service, e.g. `/platform/order-service`. */
  source: string;
  logger: Logger;
  registry?: Registry;
  /** Where each `aggregatetype` goes: the topics the service publishes to (e.g. `platformTopics` of @platform/proto). */
  topics: readonly TopicSpec[];
  /** Prefix of every topic name (`KAFKA_NAMESPACE`). Defaults to none. */
  namespace?: string;
  batchSize?: number;
  pollIntervalMs?: number;
  /** Published rows older than this are deleted. */
  retentionMs?: number;
  /** Backoff after a failed batch grows to this. Defaults to 10 s. */
  maxBackoffMs?: number;
  /** The advisory lock that elects one relay among replicas. Defaults to `outbox-relay`. */
  lockName?: string;
}

interface OutboxRow extends Record<string, unknown> {
  id: string;
  aggregatetype: string;
  aggregateid: string;
  type: string;
  payload: Uint8Array;
  headers: Record<string, string> | string;
  created_at: Date | string;
}

const tracer = trace.getTracer('@platform/events');
const pruneIntervalMs = 60_000;

/**
 * Publishes the outbox to Kafka: oldest first, acks=all, rows marked published only after the
 * broker acknowledged them (a crash in between publishes them again: consumers deduplicate by
 * `ce_id`). One relay is active per database (an advisory lock); it wakes on the outbox's
 * NOTIFY, polls as a fallback, backs off while Kafka or the database is down, and prunes old
 * published rows.
 */
export class OutboxRelay {
  private readonly routes: Map<string, string>;
  private readonly metrics: OutboxMetrics;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private waiting: (() => void) | undefined;
  /** A notification came while no wait was in progress (a batch was being published). */
  private woken = false;
  private lastPrune = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.routes = new Map(
      options.topics.map((topic) => [topic.aggregateType, (options.namespace ?? '') + topic.name]),
    );
    this.metrics = outboxMetrics(options.registry, () => this.backlog());
  }

  /** Starts relaying in the background; {@link stop} ends it. */
  start(): void {
    this.running ??= this.run();
  }

  /** Stops after the batch in flight (which is published and marked, or left for the next relay). */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('relay stopped'));
    this.wake();
    await this.running;
  }

  /** Unpublished events and the age of the oldest. */
  async backlog(): Promise<OutboxBacklog> {
    const result = await this.options.db.execute<{ size: number | string; age: number | string | null }>(
      sql`select count(*) as size, extract(epoch from now() - min(created_at)) as age
          from outbox where published_at is null`,
    );
    const row = result.rows[0];
    return { size: Number(row?.size ?? 0), oldestAgeSeconds: Number(row?.age ?? 0) };
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    const signal = this.stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      let lock: AdvisoryLock | undefined;
      let unlisten: (() => Promise<void>) | undefined;
      try {
        lock = await holdAdvisoryLock(this.options.db, this.options.lockName ?? 'outbox-relay', { signal });
        logger.info('outbox relay active');
        const subscription = await listen(this.options.db, outboxChannel, () => this.wake(), {
          onReconnect: () => this.wake(),
          onError: (error) => logger.warn({ err: error }, 'outbox notifications failed; polling meanwhile'),
        });
        unlisten = () => subscription.close();
        while (!signal.aborted && !lock.lost.aborted) {
          const published = await this.publishBatch();
          failures = 0;
          await this.pruneIfDue();
          if (published < this.batchSize) await this.idle(this.options.pollIntervalMs ?? 1_000);
        }
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        this.metrics.failed();
        const delayMs = this.backoffMs(failures);
        logger[failures === 1 ? 'warn' : 'debug'](
          { err: error, failures, delayMs },
          'outbox relay batch failed; retrying',
        );
        await this.idle(delayMs, false);
      } finally {
        await unlisten?.().catch(() => undefined);
        await lock?.release().catch(() => undefined);
      }
    }
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  private backoffMs(failures: number): number {
    return cappedBackoffMs(failures, 100, this.options.maxBackoffMs ?? 10_000);
  }

  /** Ends the current wait, or the next one at once if none is in progress (so no notification is lost). */
  private wake(): void {
    if (this.waiting) this.waiting();
    else this.woken = true;
  }

  /**
   * Waits for the poll interval or stop; a notification ends the wait too unless this is the
   * backoff after a failure (committing writers must not turn the backoff into a busy loop).
   */
  private idle(ms: number, wakeable = true): Promise<void> {
    const stop = this.stopping.signal;
    if (stop.aborted || (wakeable && this.woken)) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        if (this.waiting === done) this.waiting = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      stop.addEventListener('abort', done, { once: true });
      if (wakeable) this.waiting = done;
    });
  }

  /** Publishes the oldest unpublished rows and marks them; returns how many. */
  private async publishBatch(): Promise<number> {
    const { db } = this.options;
    const rows = await readStatement(
      db,
      async (tx) =>
        (
          await tx.execute<OutboxRow>(
            sql`select id, aggregatetype, aggregateid, type, payload, headers, created_at
                from outbox where published_at is null order by seq limit ${this.batchSize}`,
          )
        ).rows,
      { timeoutMs: 10_000 },
    );
    if (!rows.length) return 0;
    for (const row of rows) this.topicOf(row);
    const spans: Span[] = [];
    const records = rows.map((row) => this.toRecord(row, spans));
    try {
      await this.options.publisher.publish(records);
    } catch (error) {
      for (const span of spans) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
      }
      throw error;
    }
    for (const span of spans) span.end();
    const ids = rows.map((row) => sql`${row.id}`);
    await withTransaction(
      db,
      (tx) => tx.execute(sql`update outbox set published_at = now() where id in (${sql.join(ids, sql`, `)})`),
      { timeoutMs: 10_000 },
    );
    const perTopic = new Map<string, number>();
    for (const record of records) perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + 1);
    for (const [topic, count] of perTopic) this.metrics.published(topic, count);
    return rows.length;
  }

  /** The row's topic; a row no topic routes stops the relay loudly rather than being skipped. */
  private topicOf(row: OutboxRow): string {
    const topic = this.routes.get(row.aggregatetype);
    if (topic) return topic;
    throw new Error(
      `outbox event ${row.id} has aggregatetype "${row.aggregatetype}", which no topic routes (known: ${[...this.routes.keys()].join(', ')})`,
    );
  }

  private toRecord(row: OutboxRow, spans: Span[]): OutgoingRecord {
    const topic = this.topicOf(row);
    const stored =
      typeof row.headers === 'string' ? (JSON.parse(row.headers) as Record<string, string>) : row.headers;
    // The publish span continues the trace of the transaction that recorded the event.
    const parent = propagation.extract(context.active(), stored);
    const span = tracer.startSpan(
      `${topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'publish',
          'messaging.destination.name': topic,
          'messaging.message.id': row.id,
          'messaging.kafka.message.key': row.aggregateid,
        },
      },
      parent,
    );
    spans.push(span);
    const headers: Record<string, string> = { ...stored };
    propagation.inject(trace.setSpan(parent, span), headers);
    return {
      topic,
      key: row.aggregateid,
      value: Buffer.from(row.payload),
      headers: cloudEventHeaders(
        {
          id: row.id,
          type: row.type,
          source: this.options.source,
          subject: row.aggregateid,
          time: new Date(row.created_at),
        },
        headers,
      ),
    };
  }

  private async pruneIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPrune < pruneIntervalMs) return;
    this.lastPrune = now;
    const before = new Date(now - (this.options.retentionMs ?? 7 * 24 * 60 * 60 * 1000));
    const result = await this.options.db.execute(
      sql`delete from outbox where id in (
            select id from outbox where published_at is not null and published_at < ${before} limit 10000)`,
    );
    const pruned = (result as { rowCount?: number; affectedRows?: number }).rowCount ?? 0;
    if (pruned) this.options.logger.debug({ pruned }, 'pruned published outbox events');
  }
}
