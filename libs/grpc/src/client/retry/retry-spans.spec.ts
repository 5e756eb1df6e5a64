import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { GetOrderRequest, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../channel/create-client.js';
import { unaryCall } from '../channel/unary-call.js';
import { retryClientInterceptor } from './retry.interceptor.js';

const getOrder = OrderServiceService.getOrder.path;
const unavailable = { code: GrpcStatus.UNAVAILABLE };
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

let server: FaultServer;
let client: OrderServiceClient;

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = await startFaultServer();
  client = createClient(OrderServiceClient, server.address, {
    interceptors: [retryClientInterceptor({ random: () => 0 })],
  });
});

afterEach(() => {
  exporter.reset();
  server.reset();
});

afterAll(async () => {
  client.close();
  await server.stop();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

// Makes the call under a parent span, as the tracing interceptor's client span would be.
function getOrderUnderParent() {
  const tracer = trace.getTracer('test');
  return tracer.startActiveSpan('caller', async (parent) => {
    try {
      await unaryCall(
        client.getOrder.bind(client),
        GetOrderRequest.create({ orderId: 'o-1' }),
        new Metadata(),
      ).catch(() => undefined);
    } finally {
      parent.end();
    }
    return parent.spanContext();
  });
}

describe('call retried twice', () => {
  it('records one span per attempt under the caller span, numbered and with its status', async () => {
    server.script(getOrder, { faults: [unavailable, unavailable] });
    const parent = await getOrderUnderParent();
    const attempts = exporter
      .getFinishedSpans()
      .filter((span) => span.name === 'platform.order.v1.OrderService/GetOrder');
    expect(attempts.map((span) => span.attributes['grpc.attempt'])).toEqual([1, 2, 3]);
    expect(attempts.map((span) => span.attributes['rpc.grpc.status_code'])).toEqual([
      GrpcStatus.UNAVAILABLE,
      GrpcStatus.UNAVAILABLE,
      GrpcStatus.OK,
    ]);
    for (const span of attempts) {
      expect(span.parentSpanContext?.spanId).toBe(parent.spanId);
      expect(span.spanContext().traceId).toBe(parent.traceId);
    }
  });

  it('sends each attempt its own span as the server span parent in traceparent', async () => {
    server.script(getOrder, { faults: [unavailable] });
    await getOrderUnderParent();
    const attempts = exporter
      .getFinishedSpans()
      .filter((span) => span.name === 'platform.order.v1.OrderService/GetOrder');
    const sentParents = server
      .attempts(getOrder)
      .map((attempt) => String(attempt.metadata.get('traceparent')[0]).split('-')[2]);
    expect(sentParents).toEqual(attempts.map((span) => span.spanContext().spanId));
  });
});

describe('call that may not be retried', () => {
  it('records no attempt span: the call span covers its single attempt', async () => {
    const once = createClient(OrderServiceClient, server.address, {
      interceptors: [retryClientInterceptor({ isRetryable: () => false })],
    });
    server.script(getOrder, { faults: [unavailable] });
    await trace.getTracer('test').startActiveSpan('caller', async (parent) => {
      await unaryCall(once.getOrder.bind(once), GetOrderRequest.create({ orderId: 'o-1' })).catch(
        () => undefined,
      );
      parent.end();
    });
    once.close();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['caller']);
    expect(server.attempts(getOrder)).toHaveLength(1);
  });
});

describe('call made outside any span', () => {
  it('records no attempt span, so no attempt becomes a trace of its own', async () => {
    server.script(getOrder, { faults: [unavailable] });
    await unaryCall(client.getOrder.bind(client), GetOrderRequest.create({ orderId: 'o-1' }));
    expect(server.attempts(getOrder)).toHaveLength(2);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(server.attempts(getOrder).map((attempt) => attempt.metadata.get('traceparent'))).toEqual([[], []]);
  });
});
