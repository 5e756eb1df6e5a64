import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { context as otelContext, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { currentCall } from '../../server/context/call-context.js';
import {
  callKind,
  callKinds,
  methodOfKind,
  rejectEveryCall,
  scenarioKey,
} from './__fixtures__/order-calls.js';
import { useTracingHarness } from './__fixtures__/tracing-harness.js';
import { GetOrderRequest } from '@platform/proto';

const { startServer, client, spansOfKind, only } = useTracingHarness();

describe('server span', () => {
  describe.each(callKinds)('%s call that succeeds', (kind) => {
    it('is one SERVER span named package.Service/Method with the RPC attributes and code OK', async () => {
      const server = await startServer();
      expect((await callKind(client(server.address, false), kind)).code).toBe(GrpcStatus.OK);
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.name).toBe(`platform.order.v1.OrderService/${methodOfKind[kind]}`);
      expect(span.attributes).toMatchObject({
        'rpc.system': 'grpc',
        'rpc.service': 'platform.order.v1.OrderService',
        'rpc.method': methodOfKind[kind],
        'rpc.grpc.status_code': GrpcStatus.OK,
        'network.peer.address': '127.0.0.1',
      });
      expect(span.attributes['network.peer.port']).toEqual(expect.any(Number));
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(span.parentSpanContext).toBeUndefined();
    });

    it('is active in the handler, whose call context holds its ids', async () => {
      const seen: { active?: string; context?: string }[] = [];
      const server = await startServer({
        onHandle: () => {
          seen.push({
            active: trace.getActiveSpan()?.spanContext().spanId,
            context: currentCall()?.trace?.spanId,
          });
        },
      });
      await callKind(client(server.address, false), kind);
      const { spanId } = only(spansOfKind(SpanKind.SERVER)).spanContext();
      expect(seen).toEqual([{ active: spanId, context: spanId }]);
    });
  });

  describe.each(callKinds)('%s call answered NOT_FOUND', (kind) => {
    it('is not an error on the server side, and records code 5', async () => {
      const server = await startServer();
      expect((await callKind(client(server.address, false), kind, 'not-found')).code).toBe(
        GrpcStatus.NOT_FOUND,
      );
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.NOT_FOUND);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    });
  });

  describe.each(callKinds)('%s call whose handler fails with a plain Error', (kind) => {
    it('is an error span with the final code INTERNAL (after error mapping) and no error details', async () => {
      const server = await startServer();
      expect((await callKind(client(server.address, false), kind, 'crash')).code).toBe(GrpcStatus.INTERNAL);
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.INTERNAL);
      expect(span.status).toEqual({
        code: SpanStatusCode.ERROR,
        message: expect.stringMatching(/^Internal error \(error id /),
      });
      expect(JSON.stringify(span.attributes) + JSON.stringify(span.events)).not.toContain(
        'database was reset',
      );
    });
  });

  describe.each(callKinds)('%s call rejected before its handler', (kind) => {
    it('is still traced, with the rejection code', async () => {
      let handled = 0;
      const server = await startServer({ inner: [rejectEveryCall], onHandle: () => void (handled += 1) });
      expect((await callKind(client(server.address, false), kind)).code).toBe(GrpcStatus.UNAUTHENTICATED);
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(handled).toBe(0);
    });
  });

  describe('call past its deadline', () => {
    it('ends the span with DEADLINE_EXCEEDED as an error', async () => {
      let ended!: Promise<void>;
      const server = await startServer({
        onHandle: () => {
          const signal = currentCall()?.signal;
          ended = new Promise((resolve) => signal?.addEventListener('abort', () => resolve()));
          return ended; // never answers: only the deadline ends the call
        },
      });
      const orders = client(server.address, false);
      const code = await new Promise<number>((resolve) =>
        orders.getOrder(
          GetOrderRequest.create({ orderId: 'o-1' }),
          new Metadata(),
          { deadline: Date.now() + 200 },
          (error) => resolve(error?.code ?? 0),
        ),
      );
      expect(code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      await ended;
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
    });
  });

  describe('call cancelled by the client', () => {
    it('ends the span with CANCELLED, not an error', async () => {
      let ended!: Promise<void>;
      let reached!: () => void;
      const handlerReached = new Promise<void>((resolve) => (reached = resolve));
      const server = await startServer({
        onHandle: () => {
          const signal = currentCall()?.signal;
          ended = new Promise((resolve) => signal?.addEventListener('abort', () => resolve()));
          reached();
          return ended;
        },
      });
      const call = client(server.address, false).getOrder(
        GetOrderRequest.create({ orderId: 'o-1' }),
        () => undefined,
      );
      await handlerReached;
      call.cancel();
      await ended;
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.CANCELLED);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    });
  });

  describe('incoming trace context', () => {
    const remote = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };

    it('makes the span a child of the caller span in traceparent, keeps tracestate, and gives the handler the baggage', async () => {
      let tenant: string | undefined;
      const server = await startServer({
        onHandle: () =>
          void (tenant = propagation.getBaggage(otelContext.active())?.getEntry('tenant')?.value),
      });
      await callKind(client(server.address, false), 'unary', 'ok', {
        traceparent: `00-${remote.traceId}-${remote.spanId}-01`,
        tracestate: 'vendor=opaque-value',
        baggage: 'tenant=acme',
      });
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.spanContext().traceId).toBe(remote.traceId);
      expect(span.spanContext().traceState?.serialize()).toBe('vendor=opaque-value');
      expect(span.parentSpanContext).toMatchObject({ spanId: remote.spanId, isRemote: true });
      expect(tenant).toBe('acme');
    });

    it('starts a new trace when traceparent is malformed', async () => {
      const server = await startServer();
      await callKind(client(server.address, false), 'unary', 'ok', { traceparent: 'not-a-traceparent' });
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.parentSpanContext).toBeUndefined();
      expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
    });
  });

  describe('request metadata', () => {
    it('records allowlisted keys but never authorization or -bin values, even when allowlisted', async () => {
      const server = await startServer({
        tracing: {
          requestMetadataAttributes: ['X-Request-Id', 'authorization', 'x-secret-bin', scenarioKey],
        },
      });
      await callKind(client(server.address, false), 'unary', 'ok', {
        'x-request-id': 'req-42',
        authorization: 'Bearer secret-token',
        'x-secret-bin': Buffer.from('binary-secret'),
      });
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.attributes['rpc.grpc.request.metadata.x-request-id']).toEqual(['req-42']);
      const recorded = JSON.stringify(span.attributes);
      expect(recorded).not.toContain('secret-token');
      expect(recorded).not.toContain('authorization');
      expect(recorded).not.toContain('x-secret-bin');
    });
  });

  describe('stable semantic conventions', () => {
    it('names the system, fully qualified method and status code as semantic conventions 1.38+ do', async () => {
      const server = await startServer({ tracing: { semanticConventions: 'stable' } });
      await callKind(client(server.address, false), 'unary', 'crash');
      const span = only(spansOfKind(SpanKind.SERVER));
      expect(span.attributes).toMatchObject({
        'rpc.system.name': 'grpc',
        'rpc.method': 'platform.order.v1.OrderService/GetOrder',
        'rpc.status_code': 'INTERNAL',
        'error.type': 'INTERNAL',
      });
      expect(span.attributes).not.toHaveProperty('rpc.system');
      expect(span.attributes).not.toHaveProperty('rpc.grpc.status_code');
    });
  });

  describe('selector', () => {
    it('leaves unselected methods untraced', async () => {
      const server = await startServer({ tracing: { selector: (method) => method.method !== 'GetOrder' } });
      await callKind(client(server.address, false), 'unary');
      await callKind(client(server.address, false), 'server_stream');
      expect(spansOfKind(SpanKind.SERVER).map((span) => span.name)).toEqual([
        'platform.order.v1.OrderService/WatchOrder',
      ]);
    });
  });
});
