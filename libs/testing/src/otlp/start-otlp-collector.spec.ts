import { SpanKind, trace } from '@opentelemetry/api';
import { setupTracing } from '@platform/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpCollector, type OtlpCollector } from './start-otlp-collector.js';

describe('startOtlpCollector', () => {
  let collector: OtlpCollector;
  beforeAll(async () => {
    collector = await startOtlpCollector();
  });
  afterAll(() => collector.close());

  it('receives what the platform exporter sends: names, kinds, ids, parent links, service, attributes', async () => {
    const tracing = setupTracing({
      serviceName: 'collector-test',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint },
    });
    const tracer = trace.getTracer('test');
    let ids = { traceId: '', parent: '', child: '' };
    tracer.startActiveSpan('parent', { kind: SpanKind.SERVER }, (parent) => {
      const child = tracer.startSpan('child', {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'kafka' },
      });
      ids = {
        traceId: parent.spanContext().traceId,
        parent: parent.spanContext().spanId,
        child: child.spanContext().spanId,
      };
      child.end();
      parent.end();
    });
    await tracing.shutdown();

    const spans = collector.spans();
    expect(
      spans.map(({ name, kind, service, traceId, spanId, parentSpanId }) => ({
        name,
        kind,
        service,
        traceId,
        spanId,
        parentSpanId,
      })),
    ).toEqual(
      expect.arrayContaining([
        {
          name: 'parent',
          kind: 2,
          service: 'collector-test',
          traceId: ids.traceId,
          spanId: ids.parent,
          parentSpanId: '',
        },
        {
          name: 'child',
          kind: 4,
          service: 'collector-test',
          traceId: ids.traceId,
          spanId: ids.child,
          parentSpanId: ids.parent,
        },
      ]),
    );
    expect(spans.find((span) => span.name === 'child')?.attributes['messaging.system']).toBe('kafka');
  });

  it('answers 404 off the traces path and 400 to a body that is not OTLP', async () => {
    expect((await fetch(`${collector.endpoint}/v1/metrics`, { method: 'POST', body: 'x' })).status).toBe(404);
    const bad = await fetch(`${collector.endpoint}/v1/traces`, {
      method: 'POST',
      body: new Uint8Array([0x0a, 0xff]),
    });
    expect(bad.status).toBe(400);
  });
});
