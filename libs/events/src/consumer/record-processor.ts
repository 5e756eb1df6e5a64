import type { Logger } from '@platform/observability';
import type { EventType } from '../contracts/event-type.js';
import { readEnvelope, type EventEnvelope } from '../envelope/cloud-event-headers.js';
import type { ConsumerMetrics } from './consumer-metrics.js';
import { ConsumerTelemetry } from './consumer-telemetry.js';
import { attemptHandler, type HandlerAttemptOptions } from './handler-attempt.js';
import type { AnyHandlerBinding, HandlerBinding } from './handler-binding.js';
import { originOf, type IncomingRecord, type RecordOrigin } from './incoming-record.js';
import type { RecordParking } from './record-parking.js';
import { deliveryOf, type RetrySchedule } from './retry-schedule.js';

/** Options of {@link RecordProcessor}. */
export interface RecordProcessorOptions {
  readonly handlers: readonly AnyHandlerBinding[];
  /** Types that may appear: one without a handler is skipped, any other is dead-lettered. */
  readonly knownTypes: readonly EventType<unknown>[];
  /** Each retry topic of the group, mapped to its source topic. */
  readonly retryTopics: ReadonlyMap<string, string>;
  readonly attempt: HandlerAttemptOptions;
  readonly schedule: RetrySchedule;
  readonly parking: RecordParking;
  readonly metrics: ConsumerMetrics;
  readonly logger: Logger;
}

/**
 * Takes one record to an end: reads its envelope, picks the handler by `ce_type`, decodes, and
 * runs the attempts the retry schedule allows, each traced and timed; then counts it applied,
 * skipped, or parks it in the retry or dead-letter topic. Undecodable records and unknown types
 * are dead-lettered at once.
 */
export class RecordProcessor {
  private readonly handlers: Map<string, HandlerBinding<unknown>>;
  private readonly known: Set<string>;
  private readonly telemetry: ConsumerTelemetry;

  constructor(private readonly options: RecordProcessorOptions) {
    this.handlers = new Map(options.handlers.map((binding) => [binding.eventType.type, binding]));
    this.known = new Set([...this.handlers.keys(), ...options.knownTypes.map((type) => type.type)]);
    this.telemetry = new ConsumerTelemetry(options.attempt.group, options.metrics);
  }

  /**
   * Handles `incoming` to an end (applied, skipped, retried later, or parked) and returns true;
   * false when its attempt failed while the consumer stops (no further attempt: the record is
   * left uncommitted for the group). Throws only when it could not be parked.
   */
  async process(incoming: IncomingRecord): Promise<boolean> {
    const { parking, metrics } = this.options;
    const origin = originOf(incoming, this.options.retryTopics);
    let envelope: EventEnvelope;
    try {
      envelope = readEnvelope(incoming.headers);
    } catch (error) {
      await parking.deadLetter(incoming, origin, 'invalid-envelope', error, 0);
      return true;
    }
    const binding = this.handlers.get(envelope.type);
    if (!binding) {
      if (this.known.has(envelope.type)) metrics.processed(origin.topic, envelope.type, 'ignored');
      else {
        const unknown = new Error(`no event type ${envelope.type}`);
        await parking.deadLetter(incoming, origin, 'unknown-type', unknown, 0);
      }
      return true;
    }
    let event: unknown;
    try {
      event = binding.eventType.codec.decode(incoming.message.value ?? Buffer.alloc(0));
    } catch (error) {
      await parking.deadLetter(incoming, origin, 'undecodable', error, 0);
      return true;
    }
    const verdict = await this.options.schedule.run(
      deliveryOf(incoming.headers),
      (attempt) =>
        this.telemetry.attempt({ incoming, origin, envelope, attempt }, () =>
          attemptHandler(binding, event, { envelope, ...origin, attempt }, this.options.attempt),
        ),
      () => metrics.retried(envelope.type, 'in_process'),
    );
    switch (verdict.kind) {
      case 'applied':
        metrics.processed(origin.topic, envelope.type, verdict.applied ? 'handled' : 'duplicate');
        return true;
      case 'dead-letter':
        await parking.deadLetter(incoming, origin, verdict.reason, verdict.error, verdict.attempts);
        return true;
      case 'retry-topic':
        await parking.retryLater(incoming, origin, verdict);
        return true;
      case 'redeliver':
        this.leftForRedelivery(envelope, origin, verdict.error);
        return false;
    }
  }

  /** A stop began while the record was failing: no further attempt, its offset stays uncommitted. */
  private leftForRedelivery(envelope: EventEnvelope, origin: RecordOrigin, error: unknown): void {
    this.options.logger.info(
      { eventId: envelope.id, type: envelope.type, ...origin, reason: (error as Error).message },
      'consumer stopping: event left for redelivery',
    );
  }
}
