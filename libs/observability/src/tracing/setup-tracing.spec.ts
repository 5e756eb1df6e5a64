import { context, propagation, trace } from '@opentelemetry/api';
import { AlwaysOffSampler, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { otlpTracesUrl, setupTracing, traceExportTarget } from './setup-tracing.js';
import type { Tracing } from './tracing-options.js';

interface ReceivedExport {
  path: string | undefined;
  contentType: string | undefined;
  body: Buffer;
}

/** A minimal OTLP/HTTP collector: records every POST and answers 200. */
async function startCollector() {
  const received: ReceivedExport[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url,
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks),
      });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('setupTracing', () => {
  let tracing: Tracing | undefined;
  let collector: Awaited<ReturnType<typeof startCollector>> | undefined;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
    await collector?.close();
    collector = undefined;
  });

  describe('without an OTLP endpoint', () => {
    it('exports nothing but still records spans with valid ids and the service resource', () => {
      const exporter = new InMemorySpanExporter();
      tracing = setupTracing({
        serviceName: 'order-service',
        serviceVersion: '1.2.3',
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: ' ' },
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      });
      expect(tracing.exportUrl).toBeUndefined();
      trace.getTracer('test').startSpan('work').end();
      const [span] = exporter.getFinishedSpans();
      expect(span?.name).toBe('work');
      expect(span && trace.isSpanContextValid(span.spanContext())).toBe(true);
      expect(span?.resource.attributes).toMatchObject({
        'service.name': 'order-service',
        'service.version': '1.2.3',
      });
    });
  });

  describe('with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    it('exports spans as OTLP protobuf to <endpoint>/v1/traces, flushed by shutdown', async () => {
      collector = await startCollector();
      tracing = setupTracing({
        serviceName: 'order-service',
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.base}/` },
      });
      expect(tracing.exportUrl).toBe(`${collector.base}/v1/traces`);
      trace.getTracer('test').startSpan('exported-span').end();
      await tracing.shutdown();
      tracing = undefined;
      expect(collector.received).toHaveLength(1);
      expect(collector.received[0]).toMatchObject({
        path: '/v1/traces',
        contentType: 'application/x-protobuf',
      });
      expect(collector.received[0]?.body.includes('exported-span')).toBe(true);
      expect(collector.received[0]?.body.includes('order-service')).toBe(true);
    });
  });

  describe('with OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', () => {
    it('exports to that URL as it is, on forceFlush', async () => {
      collector = await startCollector();
      tracing = setupTracing({
        serviceName: 'order-service',
        env: {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.base}/custom/traces`,
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        },
      });
      trace.getTracer('test').startSpan('flushed-span').end();
      await tracing.forceFlush();
      expect(collector.received.map((request) => request.path)).toEqual(['/custom/traces']);
    });
  });

  describe('with OTEL_TRACES_EXPORTER=zipkin', () => {
    it("exports Zipkin's JSON v2 to OTEL_EXPORTER_ZIPKIN_ENDPOINT, not to the OTLP endpoint", async () => {
      collector = await startCollector();
      tracing = setupTracing({
        serviceName: 'order-service',
        env: {
          OTEL_TRACES_EXPORTER: 'zipkin',
          OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${collector.base}/api/v2/spans`,
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        },
      });
      expect(tracing.exportUrl).toBe(`${collector.base}/api/v2/spans`);
      const span = trace.getTracer('test').startSpan('zipkin-span');
      span.end();
      await tracing.forceFlush();
      expect(collector.received.map((request) => request.path)).toEqual(['/api/v2/spans']);
      const [exported] = JSON.parse(collector.received[0]?.body.toString('utf8') ?? '[]') as {
        traceId: string;
        name: string;
        localEndpoint: { serviceName: string };
      }[];
      expect(exported).toMatchObject({
        traceId: span.spanContext().traceId,
        name: 'zipkin-span',
        localEndpoint: { serviceName: 'order-service' },
      });
    });
  });

  describe('propagation and context', () => {
    it('injects W3C traceparent and baggage for the active span', () => {
      tracing = setupTracing({ serviceName: 'order-service', env: {} });
      const span = trace.getTracer('test').startSpan('outgoing');
      const carrier: Record<string, string> = {};
      const withBaggage = propagation.setBaggage(
        trace.setSpan(context.active(), span),
        propagation.createBaggage({ tenant: { value: 'acme' } }),
      );
      propagation.inject(withBaggage, carrier);
      span.end();
      const { traceId, spanId } = span.spanContext();
      expect(carrier['traceparent']).toBe(`00-${traceId}-${spanId}-01`);
      expect(carrier['baggage']).toBe('tenant=acme');
    });

    it('keeps the active span across awaits', async () => {
      tracing = setupTracing({ serviceName: 'order-service', env: {} });
      const tracer = trace.getTracer('test');
      await tracer.startActiveSpan('outer', async (span) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        expect(trace.getActiveSpan()).toBe(span);
        span.end();
      });
    });
  });

  describe('sampler option', () => {
    it('is applied: an always-off sampler records nothing', () => {
      const exporter = new InMemorySpanExporter();
      tracing = setupTracing({
        serviceName: 'order-service',
        env: {},
        sampler: new AlwaysOffSampler(),
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      });
      const span = trace.getTracer('test').startSpan('dropped');
      span.end();
      expect(span.isRecording()).toBe(false);
      expect(exporter.getFinishedSpans()).toEqual([]);
    });
  });

  describe('set up twice', () => {
    it('refuses while the first is running, and works again after its shutdown', async () => {
      tracing = setupTracing({ serviceName: 'order-service', env: {} });
      expect(() => setupTracing({ serviceName: 'again', env: {} })).toThrow(/already registered/);
      await tracing.shutdown();
      tracing = setupTracing({ serviceName: 'again', env: {} });
      expect(tracing.exportUrl).toBeUndefined();
    });
  });
});

describe('otlpTracesUrl', () => {
  it.each([
    [{}, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'http://collector:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base/' }, 'http://collector:4318/base/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/t' }, 'http://collector:4318/t'],
  ])('reads %j as %s', (env, url) => {
    expect(otlpTracesUrl(env)).toBe(url);
  });
});

describe('traceExportTarget', () => {
  it.each([
    [{}, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, { exporter: 'otlp', url: 'http://c:4318/v1/traces' }],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, undefined],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, { exporter: 'zipkin', url: 'http://localhost:9411/api/v2/spans' }],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, { exporter: 'otlp', url: 'http://localhost:4318/v1/traces' }],
  ])('reads %j as %j', (env, target) => {
    expect(traceExportTarget(env)).toEqual(target);
  });

  it('refuses an exporter it does not have, naming the ones it has', () => {
    expect(() => traceExportTarget({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/otlp, zipkin, none/);
  });
});
