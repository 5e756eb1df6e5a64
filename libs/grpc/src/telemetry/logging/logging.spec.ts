import { Metadata, status as GrpcStatus, type ServerInterceptor, type ServiceError } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { createLogger, setupTracing, type Logger, type Tracing } from '@platform/observability';
import {
  GetOrderRequest,
  OrderServiceService,
  statusFromMetadata,
  type OrderServiceClient,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MethodType } from '../../call/method-info.js';
import { contextInterceptor } from '../../server/context/context.interceptor.js';
import { errorInterceptor } from '../../server/errors/error.interceptor.js';
import { ResourceExhaustedError, UnavailableError } from '@platform/core';
import {
  authenticateAs,
  callKind,
  callKinds,
  methodOfKind,
  orderCallsImplementation,
  orderClient,
  rejectEveryCall,
  rejectWith,
} from '../tracing/__fixtures__/order-calls.js';
import { tracingClientInterceptor } from '../tracing/tracing.client-interceptor.js';
import { tracingServerInterceptor } from '../tracing/tracing.server-interceptor.js';
import { defaultCallLogLevel } from './default-call-log-level.js';
import { loggingClientInterceptor } from './logging.client-interceptor.js';
import type { LoggingInterceptorOptions } from './logging-options.js';
import { loggingServerInterceptor } from './logging.server-interceptor.js';

type Line = Record<string, unknown>;

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(() => {
  tracing = setupTracing({
    serviceName: 'logging-spec',
    env: {},
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
});
afterAll(() => tracing.shutdown());

let lines: Line[];
let logger: Logger;
let server: RunningGrpcServer | undefined;
let client: OrderServiceClient | undefined;
beforeEach(() => {
  lines = [];
  logger = createLogger({
    name: 'logging-spec',
    level: 'trace',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
  });
});
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.stop();
  server = undefined;
  exporter.reset();
});

interface Setup {
  server?: Partial<LoggingInterceptorOptions>;
  client?: Partial<LoggingInterceptorOptions> | false;
  /** Interceptors after logging (toward the handler). */
  inner?: ServerInterceptor[];
}

async function start(setup: Setup = {}) {
  server = await startGrpcServer({
    services: [{ definition: OrderServiceService, implementation: orderCallsImplementation() }],
    interceptors: [
      contextInterceptor,
      tracingServerInterceptor(),
      loggingServerInterceptor({ logger, ...setup.server }),
      errorInterceptor({ domain: 'test.platform' }),
      ...(setup.inner ?? []),
    ],
  });
  client = orderClient(
    server.address,
    setup.client === false
      ? []
      : [tracingClientInterceptor(), loggingClientInterceptor({ logger, ...setup.client })],
  );
  return client;
}

const lineOf = (component: 'server' | 'client') => {
  const matching = lines.filter((line) => line['grpc.component'] === component);
  expect(matching).toHaveLength(1);
  return matching[0] as Line;
};

const spanOf = (kind: SpanKind) =>
  exporter
    .getFinishedSpans()
    .find((span) => span.kind === kind)
    ?.spanContext();

describe('server line', () => {
  describe.each(callKinds)('%s call that succeeds', (kind: MethodType) => {
    it('is one info line with the method, code, duration, peer and the server span ids', async () => {
      await callKind(await start({ client: false }), kind);
      expect(lines).toHaveLength(1);
      const line = lineOf('server');
      expect(line).toMatchObject({
        level: 'info',
        msg: 'finished call',
        'grpc.service': 'platform.order.v1.OrderService',
        'grpc.method': methodOfKind[kind],
        'grpc.type': kind,
        'grpc.code': 'OK',
        trace_id: spanOf(SpanKind.SERVER)?.traceId,
        span_id: spanOf(SpanKind.SERVER)?.spanId,
      });
      expect(line['duration_ms']).toBeGreaterThanOrEqual(0);
      expect(line['peer']).toMatch(/^(ipv4:)?127\.0\.0\.1:\d+$/);
      expect(line).not.toHaveProperty('grpc.message');
      expect(line).not.toHaveProperty('err');
    });
  });

  describe.each(callKinds)('%s call answered NOT_FOUND', (kind) => {
    it('is an info line: a client mistake is not a server error', async () => {
      await callKind(await start({ client: false }), kind, 'not-found');
      expect(lineOf('server')).toMatchObject({
        level: 'info',
        'grpc.code': 'NOT_FOUND',
        'grpc.message': 'Order not found',
      });
    });
  });

  describe.each(callKinds)('%s call whose handler fails with a plain Error', (kind) => {
    it('is an error line with the error id the client got and the original error with its stack', async () => {
      let clientError: ServiceError | undefined;
      const orders = await start({ client: false });
      if (kind === 'unary') {
        await new Promise<void>((resolve) =>
          orders.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), crashMetadata(), (error) => {
            clientError = error ?? undefined;
            resolve();
          }),
        );
      } else {
        await callKind(orders, kind, 'crash');
      }
      const line = lineOf('server');
      expect(line).toMatchObject({ level: 'error', 'grpc.code': 'INTERNAL', error_id: expect.any(String) });
      expect(line['err']).toMatchObject({
        message: 'Connection to the database was reset',
        stack: expect.any(String),
      });
      if (clientError) {
        const sent = statusFromMetadata(clientError.metadata);
        expect(sent?.details.errorInfo?.metadata['errorId']).toBe(line['error_id']);
        expect(clientError.details).not.toContain('database');
      }
    });
  });

  describe.each(callKinds)('%s call rejected before its handler', (kind) => {
    it('is still logged, with the rejection code at info', async () => {
      await callKind(await start({ client: false, inner: [rejectEveryCall] }), kind);
      expect(lineOf('server')).toMatchObject({ level: 'info', 'grpc.code': 'UNAUTHENTICATED' });
    });
  });

  describe('level by code', () => {
    it.each([
      ['RESOURCE_EXHAUSTED', new ResourceExhaustedError('Too many requests', { retryDelayMs: 1000 }), 'warn'],
      ['UNAVAILABLE', new UnavailableError('Draining'), 'warn'],
    ])('logs %s at %s', async (code, error, level) => {
      await callKind(await start({ client: false, inner: [rejectWith(error)] }), 'unary');
      expect(lineOf('server')).toMatchObject({ level, 'grpc.code': code });
    });

    it('follows levelFor, and writes nothing for silent', async () => {
      const orders = await start({
        client: false,
        server: {
          levelFor: (code, method) =>
            code === GrpcStatus.OK && method.type === 'unary' ? 'silent' : 'debug',
        },
      });
      await callKind(orders, 'unary');
      expect(lines).toHaveLength(0);
      await callKind(orders, 'unary', 'not-found');
      expect(lineOf('server')).toMatchObject({ level: 'debug', 'grpc.code': 'NOT_FOUND' });
    });
  });

  describe('principal', () => {
    it('logs the subject and kind, never the token', async () => {
      const principal = {
        subject: 'user-42',
        kind: 'user' as const,
        roles: ['user'],
        token: 'eyJ.secret.jwt',
      };
      await callKind(await start({ client: false, inner: [authenticateAs(principal)] }), 'unary');
      expect(lineOf('server')).toMatchObject({ principal: { subject: 'user-42', kind: 'user' } });
      expect(JSON.stringify(lines)).not.toContain('eyJ.secret.jwt');
    });
  });

  describe('request metadata', () => {
    const sent = {
      'x-request-id': 'req-7',
      'x-tenant': 'acme',
      authorization: 'Bearer secret-token',
      'x-session-bin': Buffer.from('binary-secret'),
    };

    it('logs user-agent and x-request-id by default, and nothing else', async () => {
      await callKind(await start({ client: false }), 'unary', 'ok', sent);
      const metadata = lineOf('server')['grpc.request.metadata'] as Record<string, string>;
      expect(Object.keys(metadata).sort()).toEqual(['user-agent', 'x-request-id']);
      expect(metadata['x-request-id']).toBe('req-7');
      expect(metadata['user-agent']).toMatch(/grpc-node-js/);
    });

    it('never logs authorization or -bin values, even when allowlisted', async () => {
      const allowlist = ['X-Tenant', 'authorization', 'x-session-bin'];
      await callKind(
        await start({ server: { metadataAllowlist: allowlist }, client: { metadataAllowlist: allowlist } }),
        'unary',
        'ok',
        sent,
      );
      for (const component of ['server', 'client'] as const) {
        expect(lineOf(component)['grpc.request.metadata']).toEqual({ 'x-tenant': 'acme' });
      }
      const text = JSON.stringify(lines);
      expect(text).not.toContain('secret-token');
      expect(text).not.toContain(Buffer.from('binary-secret').toString('base64'));
      expect(text).not.toContain('x-session-bin');
    });
  });
});

describe('client line', () => {
  describe.each(callKinds)('%s call', (kind) => {
    it('is one info line with the method, code, duration, server address and the client span ids', async () => {
      await callKind(await start(), kind);
      const line = lineOf('client');
      expect(line).toMatchObject({
        level: 'info',
        msg: 'finished call',
        'grpc.service': 'platform.order.v1.OrderService',
        'grpc.method': methodOfKind[kind],
        'grpc.type': kind,
        'grpc.code': 'OK',
        peer: server?.address,
        trace_id: spanOf(SpanKind.CLIENT)?.traceId,
        span_id: spanOf(SpanKind.CLIENT)?.spanId,
      });
      expect(line['duration_ms']).toBeGreaterThanOrEqual(0);
      expect(lineOf('server')['trace_id']).toBe(line['trace_id']);
    });
  });

  it('logs NOT_FOUND at info with the message', async () => {
    await callKind(await start(), 'unary', 'not-found');
    expect(lineOf('client')).toMatchObject({
      level: 'info',
      'grpc.code': 'NOT_FOUND',
      'grpc.message': 'Order not found',
    });
  });

  it('logs an unreachable server as UNAVAILABLE at warn', async () => {
    const orders = await start();
    await server?.stop();
    server = undefined;
    await callKind(orders, 'unary');
    expect(lineOf('client')).toMatchObject({ level: 'warn', 'grpc.code': 'UNAVAILABLE' });
  });
});

describe('defaultCallLogLevel', () => {
  it.each([
    ...['OK', 'NOT_FOUND', 'ALREADY_EXISTS', 'INVALID_ARGUMENT', 'FAILED_PRECONDITION'].map((code) => [
      code,
      'info',
    ]),
    ...['PERMISSION_DENIED', 'UNAUTHENTICATED', 'CANCELLED', 'OUT_OF_RANGE'].map((code) => [code, 'info']),
    ...['DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'ABORTED', 'UNAVAILABLE'].map((code) => [code, 'warn']),
    ...['UNKNOWN', 'INTERNAL', 'DATA_LOSS', 'UNIMPLEMENTED'].map((code) => [code, 'error']),
  ])('logs %s at %s', (code, level) => {
    expect(defaultCallLogLevel(GrpcStatus[code as keyof typeof GrpcStatus])).toBe(level);
  });

  it('logs a code outside the standard ones at error', () => {
    expect(defaultCallLogLevel(42)).toBe('error');
  });
});

function crashMetadata(): Metadata {
  const metadata = new Metadata();
  metadata.set('x-scenario', 'crash');
  return metadata;
}
