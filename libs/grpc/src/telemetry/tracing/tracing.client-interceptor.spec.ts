import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import {
  context as otelContext,
  createTraceState,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { callKind, callKinds, methodOfKind, scenarioKey } from './__fixtures__/order-calls.js';
import { useTracingHarness } from './__fixtures__/tracing-harness.js';
import { GetOrderRequest } from '@platform/proto';

const { startServer, client, spansOfKind, only } = useTracingHarness();

describe('client span', () => {
  describe.each(callKinds)('%s call', (kind) => {
    it('is the parent of the server span, in the same trace', async () => {
      const server = await startServer();
      expect((await callKind(client(server.address), kind)).code).toBe(GrpcStatus.OK);
      const clientSpan = only(spansOfKind(SpanKind.CLIENT));
      const serverSpan = only(spansOfKind(SpanKind.SERVER));
      expect(clientSpan.name).toBe(`platform.order.v1.OrderService/${methodOfKind[kind]}`);
      expect(clientSpan.attributes).toMatchObject({
        'rpc.system': 'grpc',
        'rpc.service': 'platform.order.v1.OrderService',
        'rpc.method': methodOfKind[kind],
        'rpc.grpc.status_code': GrpcStatus.OK,
        'network.peer.address': '127.0.0.1',
        'network.peer.port': server.port,
      });
      expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
      expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    });

    it('is an error when the server answers NOT_FOUND (client rule: any code but OK)', async () => {
      const server = await startServer();
      await callKind(client(server.address), kind, 'not-found');
      const span = only(spansOfKind(SpanKind.CLIENT));
      expect(span.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.NOT_FOUND);
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Order not found' });
    });
  });

  it('is a child of the span active where the call is made, and propagates its tracestate and baggage', async () => {
    let tenant: string | undefined;
    const server = await startServer({
      onHandle: () => void (tenant = propagation.getBaggage(otelContext.active())?.getEntry('tenant')?.value),
    });
    const orders = client(server.address);
    const remoteParent = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
      isRemote: true,
      traceState: createTraceState('vendor=opaque-value'),
    });
    const parent = trace
      .getTracer('test')
      .startSpan('checkout', {}, trace.setSpan(ROOT_CONTEXT, remoteParent));
    const callContext = propagation.setBaggage(
      trace.setSpan(ROOT_CONTEXT, parent),
      propagation.createBaggage({ tenant: { value: 'acme' } }),
    );
    await otelContext.with(callContext, () => callKind(orders, 'unary'));
    parent.end();
    const span = only(spansOfKind(SpanKind.CLIENT));
    expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
    const serverSpan = only(spansOfKind(SpanKind.SERVER));
    expect(serverSpan.spanContext().traceState?.serialize()).toBe('vendor=opaque-value');
    expect(tenant).toBe('acme');
  });

  it('made from a handler, is a child of that server span: one trace across two services', async () => {
    const downstream = await startServer();
    const downstreamClient = client(downstream.address);
    const upstream = await startServer({
      onHandle: async (kind) => {
        if (kind === 'unary') await callKind(downstreamClient, 'server_stream');
      },
    });
    await callKind(client(upstream.address), 'unary');
    const [upstreamClientSpan, downstreamClientSpan] = ['GetOrder', 'WatchOrder'].map((method) =>
      only(spansOfKind(SpanKind.CLIENT).filter((span) => span.name.endsWith(method))),
    );
    const [upstreamServerSpan, downstreamServerSpan] = ['GetOrder', 'WatchOrder'].map((method) =>
      only(spansOfKind(SpanKind.SERVER).filter((span) => span.name.endsWith(method))),
    );
    const chain = [upstreamClientSpan, upstreamServerSpan, downstreamClientSpan, downstreamServerSpan];
    expect(new Set(chain.map((span) => span?.spanContext().traceId)).size).toBe(1);
    expect(upstreamServerSpan?.parentSpanContext?.spanId).toBe(upstreamClientSpan?.spanContext().spanId);
    expect(downstreamClientSpan?.parentSpanContext?.spanId).toBe(upstreamServerSpan?.spanContext().spanId);
    expect(downstreamServerSpan?.parentSpanContext?.spanId).toBe(downstreamClientSpan?.spanContext().spanId);
  });

  it('leaves the metadata object the caller passed untouched', async () => {
    const server = await startServer();
    const metadata = new Metadata();
    metadata.set(scenarioKey, 'ok');
    await new Promise((resolve) =>
      client(server.address).getOrder(GetOrderRequest.create({ orderId: 'o-1' }), metadata, resolve),
    );
    expect(metadata.get('traceparent')).toEqual([]);
    expect(only(spansOfKind(SpanKind.SERVER)).parentSpanContext).toBeDefined();
  });

  it('is an error when the server is unreachable, with code UNAVAILABLE', async () => {
    const server = await startServer();
    const address = server.address;
    await server.stop();
    const result = await callKind(client(address), 'unary');
    expect(result.code).toBe(GrpcStatus.UNAVAILABLE);
    const span = only(spansOfKind(SpanKind.CLIENT));
    expect(span.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.UNAVAILABLE);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });
});
