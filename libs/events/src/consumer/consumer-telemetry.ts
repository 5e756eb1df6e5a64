import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { EventEnvelope } from '../envelope/cloud-event-headers.js';
import type { ConsumerMetrics } from './consumer-metrics.js';
import type { IncomingRecord, RecordOrigin } from './incoming-record.js';

const tracer = trace.getTracer('@platform/events');

/** What one handler attempt is about, for its span and its timing. */
export interface AttemptDetails {
  readonly incoming: IncomingRecord;
  readonly origin: RecordOrigin;
  readonly envelope: EventEnvelope;
  /** The attempt's number across deliveries (`messaging.delivery_attempt`). */
  readonly attempt: number;
}

/**
 * Tracing and timing of handler attempts: each runs in a CONSUMER span whose parent is the
 * producer's (the record's `traceparent`), so one trace covers the whole path, and its time
 * goes to `events_handler_seconds`.
 */
export class ConsumerTelemetry {
  constructor(
    private readonly group: string,
    private readonly metrics: ConsumerMetrics,
  ) {}

  /** Runs `run` in the attempt's span; a rejection marks the span as failed and is rethrown. */
  async attempt<T>(details: AttemptDetails, run: () => Promise<T>): Promise<T> {
    const { incoming, origin, envelope, attempt } = details;
    const parent = propagation.extract(context.active(), incoming.headers);
    const span = tracer.startSpan(`${origin.topic} process`, { kind: SpanKind.CONSUMER }, parent);
    // Attributes only for a span that is recorded (tracing off: no allocation per record).
    if (span.isRecording()) {
      span.setAttributes({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': origin.topic,
        'messaging.consumer.group.name': this.group,
        'messaging.message.id': envelope.id,
        'messaging.kafka.offset': Number(incoming.message.offset),
        'cloudevents.event_type': envelope.type,
        'messaging.delivery_attempt': attempt,
      });
    }
    const started = process.hrtime.bigint();
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
}
