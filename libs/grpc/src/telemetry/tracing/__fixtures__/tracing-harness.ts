import type { ServerInterceptor } from '@grpc/grpc-js';
import type { SpanKind } from '@opentelemetry/api';
import { setupTracing, type Tracing } from '@platform/observability';
import { OrderServiceService, type OrderServiceClient } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { MethodType } from '../../../call/method-info.js';
import { contextInterceptor } from '../../../server/context/context.interceptor.js';
import { errorInterceptor } from '../../../server/errors/error.interceptor.js';
import { tracingClientInterceptor } from '../tracing.client-interceptor.js';
import { tracingServerInterceptor } from '../tracing.server-interceptor.js';
import type { TracingInterceptorOptions } from '../tracing-options.js';
import { orderCallsImplementation, orderClient } from './order-calls.js';

export interface ServerSetup {
  tracing?: TracingInterceptorOptions;
  /** Interceptors after tracing (toward the handler). */
  inner?: ServerInterceptor[];
  onHandle?: (kind: MethodType) => void | Promise<void>;
}

/**
 * Registers the suite's hooks (a global tracer provider recording into memory; servers and
 * clients stopped and spans cleared after each test) and returns the helpers the tracing
 * specs share.
 */
export function useTracingHarness() {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = setupTracing({
      serviceName: 'tracing-spec',
      env: {},
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
  });
  afterAll(() => tracing.shutdown());

  const servers: RunningGrpcServer[] = [];
  const clients: OrderServiceClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    exporter.reset();
  });

  async function startServer(setup: ServerSetup = {}) {
    const server = await startGrpcServer({
      services: [
        { definition: OrderServiceService, implementation: orderCallsImplementation(setup.onHandle) },
      ],
      interceptors: [
        contextInterceptor,
        tracingServerInterceptor(setup.tracing),
        errorInterceptor({ domain: 'test.platform' }),
        ...(setup.inner ?? []),
      ],
    });
    servers.push(server);
    return server;
  }

  function client(address: string, options?: TracingInterceptorOptions | false): OrderServiceClient {
    const created = orderClient(address, options === false ? [] : [tracingClientInterceptor(options)]);
    clients.push(created);
    return created;
  }

  const spansOfKind = (kind: SpanKind) => exporter.getFinishedSpans().filter((span) => span.kind === kind);
  const only = (spans: ReadableSpan[]) => {
    expect(spans).toHaveLength(1);
    return spans[0] as ReadableSpan;
  };

  return { exporter, startServer, client, spansOfKind, only };
}
