import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setupTracing, type Tracing } from '@platform/observability';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { consumerMetrics } from './consumer-metrics.js';
import { ConsumerTelemetry, type AttemptDetails } from './consumer-telemetry.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(() => {
  tracing = setupTracing({
    serviceName: 'events-spec',
    env: {},
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
});
afterAll(() => tracing.shutdown());
afterEach(() => exporter.reset());

const producerTrace = '0af7651916cd43dd8448eb211c80319c';
const producerSpan = 'b7ad6b7169203331';

function details(attempt = 1): AttemptDetails {
  return {
    incoming: {
      topic: 'orders.g.retry',
      partition: 1,
      message: { key: null, value: null, offset: '12' },
      headers: { traceparent: `00-${producerTrace}-${producerSpan}-01` },
    },
    origin: { topic: 'orders', partition: 0, offset: '5' },
    envelope: {
      id: 'event-1',
      type: 'platform.order.v1.OrderCreated',
      source: '/s',
      subject: 'o',
      time: new Date(),
    },
    attempt,
  };
}

function telemetry() {
  const registry = new Registry();
  return { registry, telemetry: new ConsumerTelemetry('ns.stats', consumerMetrics(registry, 'ns.stats')) };
}

describe('ConsumerTelemetry.attempt', () => {
  it("runs the handler in a CONSUMER span that continues the producer's trace", async () => {
    const { telemetry: observed } = telemetry();
    let active: string | undefined;
    const result = await observed.attempt(details(4), async () => {
      active = trace.getActiveSpan()?.spanContext().traceId;
      return 'applied';
    });
    expect(result).toBe('applied');
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('orders process');
    expect(span?.kind).toBe(SpanKind.CONSUMER);
    expect(span?.spanContext().traceId).toBe(producerTrace);
    expect(span?.parentSpanContext?.spanId).toBe(producerSpan);
    expect(active).toBe(producerTrace);
    expect(span?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'orders',
      'messaging.consumer.group.name': 'ns.stats',
      'messaging.message.id': 'event-1',
      'messaging.kafka.offset': 12,
      'cloudevents.event_type': 'platform.order.v1.OrderCreated',
      'messaging.delivery_attempt': 4,
    });
    expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('marks the span failed with the exception and rethrows', async () => {
    const { telemetry: observed } = telemetry();
    const failure = new Error('downstream unavailable');
    await expect(
      observed.attempt(details(), async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'downstream unavailable' });
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('times every attempt, failed ones included, by event type', async () => {
    const { telemetry: observed, registry } = telemetry();
    await observed.attempt(details(), async () => undefined);
    await observed.attempt(details(), async () => Promise.reject(new Error('x'))).catch(() => undefined);
    const histogram = await registry.getSingleMetric('events_handler_seconds')?.get();
    const count = histogram?.values.find(
      (value) => (value as { metricName?: string }).metricName === 'events_handler_seconds_count',
    );
    expect(count).toMatchObject({
      labels: { group: 'ns.stats', type: 'platform.order.v1.OrderCreated' },
      value: 2,
    });
  });
});
