import { Metadata, status as GrpcStatus, type ServerInterceptor } from '@grpc/grpc-js';
import { createMetricsRegistry } from '@platform/observability';
import { GetOrderRequest, OrderServiceService, type OrderServiceClient } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { Counter, type Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MethodType } from '../../call/method-info.js';
import { contextInterceptor } from '../../server/context/context.interceptor.js';
import { deadlineServerInterceptor } from '../../server/deadline/deadline.interceptor.js';
import { errorInterceptor } from '../../server/errors/error.interceptor.js';
import {
  callKind,
  callKinds,
  methodOfKind,
  okMessages,
  orderCallsImplementation,
  orderClient,
  rejectEveryCall,
} from '../tracing/__fixtures__/order-calls.js';
import { metricsClientInterceptor } from './metrics.client-interceptor.js';
import { metricsServerInterceptor } from './metrics.server-interceptor.js';
import type { MetricsInterceptorOptions } from './metrics-options.js';

let registry: Registry;
let server: RunningGrpcServer | undefined;
let client: OrderServiceClient | undefined;
beforeEach(() => {
  registry = createMetricsRegistry({ collectDefaultMetrics: false });
});
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.stop();
  server = undefined;
});

async function start(
  options: {
    server?: Partial<MetricsInterceptorOptions>;
    inner?: ServerInterceptor[];
    client?: boolean;
  } = {},
) {
  server = await startGrpcServer({
    services: [{ definition: OrderServiceService, implementation: orderCallsImplementation() }],
    interceptors: [
      contextInterceptor,
      metricsServerInterceptor({ registry, ...options.server }),
      errorInterceptor({ domain: 'test.platform' }),
      ...(options.inner ?? []),
    ],
  });
  client = orderClient(
    server.address,
    options.client === false ? [] : [metricsClientInterceptor({ registry })],
  );
  return client;
}

const labelsOf = (kind: MethodType) => ({
  grpc_type: kind,
  grpc_service: 'platform.order.v1.OrderService',
  grpc_method: methodOfKind[kind],
});

/** The value of one series, 0 when it does not exist. */
async function valueOf(name: string, labels: Record<string, string | number>): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const matching = values.filter((value) =>
    Object.entries(labels).every(([key, expected]) => value.labels[key] === expected),
  );
  return matching.reduce((sum, value) => sum + value.value, 0);
}

/** How many handling times the histogram observed for the kind. */
async function histogramCount(side: 'server' | 'client', kind: MethodType): Promise<number> {
  const name = `grpc_${side}_handling_seconds`;
  const histogram = registry.getSingleMetric(name);
  if (!histogram) throw new Error(`${name} is not registered`);
  const { values } = await histogram.get();
  return values
    .filter(
      (value) =>
        (value as { metricName?: string }).metricName === `${name}_count` &&
        value.labels['grpc_method'] === methodOfKind[kind],
    )
    .reduce((sum, value) => sum + value.value, 0);
}

describe.each(callKinds)('%s call', (kind) => {
  describe('that succeeds', () => {
    it('counts started, handled OK, the messages each way and one handling time, on both sides', async () => {
      expect((await callKind(await start(), kind)).code).toBe(GrpcStatus.OK);
      const labels = labelsOf(kind);
      for (const side of ['server', 'client'] as const) {
        expect(await valueOf(`grpc_${side}_started_total`, labels)).toBe(1);
        expect(await valueOf(`grpc_${side}_handled_total`, { ...labels, grpc_code: 'OK' })).toBe(1);
        expect(await histogramCount(side, kind)).toBe(1);
      }
      const { received, sent } = okMessages[kind];
      expect(await valueOf('grpc_server_msg_received_total', labels)).toBe(received);
      expect(await valueOf('grpc_server_msg_sent_total', labels)).toBe(sent);
      expect(await valueOf('grpc_client_msg_sent_total', labels)).toBe(received);
      expect(await valueOf('grpc_client_msg_received_total', labels)).toBe(sent);
    });
  });

  describe('answered NOT_FOUND', () => {
    it('counts handled with grpc_code NOT_FOUND on both sides', async () => {
      await callKind(await start(), kind, 'not-found');
      for (const side of ['server', 'client']) {
        expect(
          await valueOf(`grpc_${side}_handled_total`, { ...labelsOf(kind), grpc_code: 'NOT_FOUND' }),
        ).toBe(1);
        expect(await valueOf(`grpc_${side}_handled_total`, { ...labelsOf(kind), grpc_code: 'OK' })).toBe(0);
      }
    });
  });

  describe('whose handler fails with a plain Error', () => {
    it('counts the final code INTERNAL, never UNKNOWN', async () => {
      await callKind(await start(), kind, 'crash');
      expect(await valueOf('grpc_server_handled_total', { ...labelsOf(kind), grpc_code: 'INTERNAL' })).toBe(
        1,
      );
      expect(await valueOf('grpc_server_handled_total', { ...labelsOf(kind), grpc_code: 'UNKNOWN' })).toBe(0);
    });
  });

  describe('rejected before its handler', () => {
    it('is counted as started and handled UNAUTHENTICATED, with no message read', async () => {
      await callKind(await start({ inner: [rejectEveryCall] }), kind);
      const labels = labelsOf(kind);
      expect(await valueOf('grpc_server_started_total', labels)).toBe(1);
      expect(await valueOf('grpc_server_handled_total', { ...labels, grpc_code: 'UNAUTHENTICATED' })).toBe(1);
      expect(await valueOf('grpc_server_msg_received_total', labels)).toBe(0);
      expect(await histogramCount('server', kind)).toBe(1);
    });
  });
});

describe('exposition', () => {
  it('uses the go-grpc-prometheus names and labels', async () => {
    await callKind(await start(), 'unary', 'not-found');
    const text = await registry.metrics();
    expect(text).toContain(
      'grpc_server_handled_total{grpc_type="unary",grpc_service="platform.order.v1.OrderService",grpc_method="GetOrder",grpc_code="NOT_FOUND"} 1',
    );
    expect(text).toContain(
      'grpc_client_started_total{grpc_type="unary",grpc_service="platform.order.v1.OrderService",grpc_method="GetOrder"} 1',
    );
    expect(text).toContain('# TYPE grpc_server_handling_seconds histogram');
  });

  it('uses the configured histogram buckets', async () => {
    await callKind(await start({ server: { handlingSecondsBuckets: [0.5, 30] } }), 'unary');
    const text = await registry.metrics();
    const buckets = [...text.matchAll(/grpc_server_handling_seconds_bucket\{le="([^"]+)"/g)].map(
      (match) => match[1],
    );
    expect(buckets).toEqual(['0.5', '30', '+Inf']);
  });
});

describe('calls without a deadline', () => {
  const withoutDeadline = () => valueOf('grpc_server_calls_without_deadline_total', labelsOf('unary'));
  const getOrder = (orders: OrderServiceClient, deadline?: number) =>
    new Promise((resolve) =>
      orders.getOrder(
        GetOrderRequest.create({ orderId: 'o-1' }),
        new Metadata(),
        deadline ? { deadline } : {},
        resolve,
      ),
    );

  it('counts a call that arrived without one, even when the deadline interceptor applies a default', async () => {
    const orders = await start({ inner: [deadlineServerInterceptor({ defaultDeadlineMs: 10_000 })] });
    await getOrder(orders);
    expect(await withoutDeadline()).toBe(1);
  });

  it('does not count a call that arrived with one', async () => {
    await getOrder(await start(), Date.now() + 10_000);
    expect(await withoutDeadline()).toBe(0);
  });
});

describe('one registry, several interceptors', () => {
  it('registers each metric once and sums what they all count', async () => {
    const first = await start();
    const second = await startGrpcServer({
      services: [{ definition: OrderServiceService, implementation: orderCallsImplementation() }],
      interceptors: [contextInterceptor, metricsServerInterceptor({ registry })],
    });
    const secondClient = orderClient(second.address, [metricsClientInterceptor({ registry })]);
    try {
      await callKind(first, 'unary');
      await callKind(secondClient, 'unary');
    } finally {
      secondClient.close();
      await second.stop();
    }
    const names = registry.getMetricsAsArray().map((metric) => metric.name);
    expect(names.filter((name) => name === 'grpc_server_started_total')).toHaveLength(1);
    expect(names.filter((name) => name === 'grpc_client_started_total')).toHaveLength(1);
    expect(await valueOf('grpc_server_started_total', labelsOf('unary'))).toBe(2);
    expect(await valueOf('grpc_client_started_total', labelsOf('unary'))).toBe(2);
  });

  it('refuses a registry where the name is taken by a metric of other labels, naming both', () => {
    new Counter({
      name: 'grpc_server_started_total',
      help: 'taken',
      labelNames: ['method'],
      registers: [registry],
    });
    expect(() => metricsServerInterceptor({ registry })).toThrow(
      /grpc_server_started_total is already registered .*\[method\].*\[grpc_type, grpc_service, grpc_method\]/,
    );
  });
});

describe('selector', () => {
  it('leaves unselected methods unmeasured', async () => {
    const orders = await start({
      server: { selector: (method) => method.method !== 'GetOrder' },
      client: false,
    });
    await callKind(orders, 'unary');
    await callKind(orders, 'server_stream');
    expect(await valueOf('grpc_server_started_total', labelsOf('unary'))).toBe(0);
    expect(await valueOf('grpc_server_started_total', labelsOf('server_stream'))).toBe(1);
  });
});
