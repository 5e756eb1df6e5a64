// The stock @opentelemetry/instrumentation-grpc and the platform interceptors loaded together.
// The instrumentation patches grpc-js through the CommonJS require hook, so this file enables it
// and requires grpc-js before any server registers its services; grpc-js is one module instance,
// so the ESM imports of the interceptors see the same patched classes.
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { SpanKind } from '@opentelemetry/api';
import { createLogger, setupTracing, type Tracing } from '@platform/observability';
import { OrderServiceService, type OrderServiceClient } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import type * as grpc from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contextInterceptor } from '../../server/context/context.interceptor.js';
import { errorInterceptor } from '../../server/errors/error.interceptor.js';
import { loggingServerInterceptor } from '../logging/logging.server-interceptor.js';
import {
  callKind,
  callKinds,
  orderCallsImplementation,
  orderClient,
  rejectEveryCall,
} from './__fixtures__/order-calls.js';
import { tracingClientInterceptor } from './tracing.client-interceptor.js';
import { tracingServerInterceptor } from './tracing.server-interceptor.js';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let instrumentation: GrpcInstrumentation;
let patchedGrpc: typeof grpc;

beforeAll(() => {
  tracing = setupTracing({
    serviceName: 'stock-spec',
    env: {},
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  instrumentation = new GrpcInstrumentation();
  patchedGrpc = createRequire(import.meta.url)('@grpc/grpc-js') as typeof grpc;
});
afterAll(async () => {
  instrumentation.disable();
  await tracing.shutdown();
});

let server: RunningGrpcServer | undefined;
let client: OrderServiceClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.stop();
  exporter.reset();
});

let logLines: Record<string, unknown>[] = [];
const logger = createLogger({
  name: 'stock-spec',
  destination: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
});

async function start(inner: Parameters<typeof startGrpcServer>[0]['interceptors'] = []) {
  logLines = [];
  server = await startGrpcServer({
    services: [{ definition: OrderServiceService, implementation: orderCallsImplementation() }],
    interceptors: [
      contextInterceptor,
      tracingServerInterceptor(),
      loggingServerInterceptor({ logger }),
      errorInterceptor({ domain: 'test.platform' }),
      ...inner,
    ],
  });
  client = orderClient(server.address, [tracingClientInterceptor()]);
  return client;
}

/** A client whose constructor the instrumentation made, so it traces the client side too. */
function instrumentedClient(address: string): OrderServiceClient {
  const Constructor = patchedGrpc.makeGenericClientConstructor(OrderServiceService, 'OrderService');
  const created = new Constructor(address, patchedGrpc.credentials.createInsecure(), {
    interceptors: [tracingClientInterceptor()],
  }) as unknown as OrderServiceClient;
  client = created;
  return created;
}

const spansOfKind = (kind: SpanKind) => exporter.getFinishedSpans().filter((span) => span.kind === kind);

function expectOneServerSpanChildOfOneClientSpan() {
  const serverSpans = spansOfKind(SpanKind.SERVER);
  const clientSpans = spansOfKind(SpanKind.CLIENT);
  expect(serverSpans).toHaveLength(1);
  expect(clientSpans).toHaveLength(1);
  expect(serverSpans[0]?.parentSpanContext?.spanId).toBe(clientSpans[0]?.spanContext().spanId);
  expect(serverSpans[0]?.spanContext().traceId).toBe(clientSpans[0]?.spanContext().traceId);
  return { serverSpan: serverSpans[0], clientSpan: clientSpans[0] };
}

describe('with @opentelemetry/instrumentation-grpc enabled', () => {
  it('is detected: grpc-js servers are patched', () => {
    expect((patchedGrpc.Server.prototype.register as { __wrapped?: boolean }).__wrapped).toBe(true);
  });

  describe.each(callKinds)('%s call from a client created before the instrumentation', (kind) => {
    it('has exactly one server span (the instrumentation one), child of the platform client span', async () => {
      await callKind(await start(), kind);
      const { serverSpan, clientSpan } = expectOneServerSpanChildOfOneClientSpan();
      expect(serverSpan?.instrumentationScope.name).toBe('@opentelemetry/instrumentation-grpc');
      expect(clientSpan?.instrumentationScope.name).toBe('@platform/grpc');
    });

    it("logs the call with the instrumentation server span's ids", async () => {
      await callKind(await start(), kind);
      const serverSpan = spansOfKind(SpanKind.SERVER)[0]?.spanContext();
      expect(logLines).toHaveLength(1);
      expect(logLines[0]).toMatchObject({ trace_id: serverSpan?.traceId, span_id: serverSpan?.spanId });
    });
  });

  describe.each(callKinds)('%s call from a client the instrumentation wraps', (kind) => {
    it('has exactly one server span and one client span (both the instrumentation ones)', async () => {
      await start();
      await callKind(instrumentedClient(server?.address ?? ''), kind);
      const { clientSpan } = expectOneServerSpanChildOfOneClientSpan();
      expect(clientSpan?.instrumentationScope.name).toBe('@opentelemetry/instrumentation-grpc');
    });
  });

  it('leaves calls rejected before their handler to the instrumentation, which traces none', async () => {
    await callKind(await start([rejectEveryCall]), 'unary');
    expect(spansOfKind(SpanKind.SERVER)).toHaveLength(0);
    expect(spansOfKind(SpanKind.CLIENT)).toHaveLength(1);
  });
});
