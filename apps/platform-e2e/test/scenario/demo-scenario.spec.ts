// The demo scenario against the platform started as processes (user-service, order-service,
// fulfillment-worker on PostgreSQL and Kafka), through gRPC only; then what can be seen inside:
// one trace across every hop, the metrics each app exposes, the trace id in the logs.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { bearer } from '@platform/grpc';
import { expectGrpcError, fieldsOf } from '@platform/grpc/testing';
import { setupTracing, type Tracing } from '@platform/observability';
import {
  ConfirmOrderRequest,
  CreateOrderRequest,
  CreateUserRequest,
  DeactivateUserRequest,
  GetOrderRequest,
  ImportOutcome,
  OrderStatus,
} from '@platform/proto';
import {
  metricSum,
  startOtlpCollector,
  testKafkaBrokers,
  waitFor,
  type CollectedSpan,
  type OtlpCollector,
} from '@platform/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemoScenario, type DemoReport } from '../../src/demo-scenario.js';
import { startPlatform, type PlatformStack } from '../__fixtures__/platform-stack.js';

let collector: OtlpCollector;
let tracing: Tracing;
let stack: PlatformStack;
let report: DemoReport;
const lines: string[] = [];

beforeAll(async () => {
  collector = await startOtlpCollector();
  // The scenario's own spans (the client side) go to the same collector as the apps'.
  tracing = setupTracing({
    serviceName: 'platform-demo',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint },
  });
  stack = await startPlatform(testKafkaBrokers().join(','), {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    // As under `npm run dev` (3 s), with room to spare on a loaded machine: the demo cancels an
    // imported order within milliseconds of the import, while the worker is still fulfilling it.
    FULFILLMENT_DURATION: '5s',
  });
  report = await runDemoScenario(
    { userService: stack.userService.address, orderService: stack.orderService.address },
    (line) => lines.push(line),
  );
  await tracing.forceFlush();
}, 180_000);

afterAll(async () => {
  await stack?.dispose();
  await tracing?.shutdown();
  await collector?.close();
}, 60_000);

describe('the demo scenario', () => {
  it('signs up, places an order the worker confirms, imports with one bad item, cancels a pending one, and projects the stats', () => {
    expect(report.watched[0]).toBe(OrderStatus.ORDER_STATUS_PENDING);
    expect(report.watched.at(-1)).toBe(OrderStatus.ORDER_STATUS_CONFIRMED);
    // WatchOrder itself reported both states, live, and the demo printed each as it came.
    const watchLines = lines.filter((line) => line.startsWith('  WatchOrder: '));
    expect(watchLines.map((line) => line.split(' ')[3])).toEqual([
      'ORDER_STATUS_PENDING',
      'ORDER_STATUS_CONFIRMED',
    ]);
    expect([report.imported.createdCount, report.imported.failedCount]).toEqual([2, 1]);
    const failed = report.imported.results.find(
      (result) => result.outcome === ImportOutcome.IMPORT_OUTCOME_FAILED,
    );
    expect(failed?.index).toBe(1);
    expect(failed?.error?.badRequest?.fieldViolations.map((violation) => violation.field)).toEqual([
      'items[0].quantity',
    ]);
    // The tea, the first imported order, cancelled while the worker was still fulfilling it.
    expect(report.cancel).toEqual({ orderId: report.imported.results[0]?.orderId, outcome: 'cancelled' });
    expect(lines).toContain(
      `cancelled order ${report.cancel.orderId} while it was PENDING: ORDER_STATUS_CANCELLED`,
    );
    expect(report.stats.orderCount).toBe('3');
    expect(report.stats.cancelledCount).toBe('1');
    // The worker confirmed the two others, and found nothing to do for the cancelled one.
    expect(report.stats.confirmedCount).toBe('2');
    expect(report.watched).toEqual([OrderStatus.ORDER_STATUS_PENDING, OrderStatus.ORDER_STATUS_CONFIRMED]);
    // 2 x 450 + 320 for the first order and 380 USD; the tea (3 x 250) was cancelled.
    expect(report.stats.lifetimeTotalMinorByCurrency).toEqual({ EUR: '1220', USD: '380' });
    expect(lines.at(-1)).toBe(`trace id of "place an order": ${report.traceId}`);
  });

  it('keeps one trace across client, order-service, user-service, outbox/Kafka, worker, ConfirmOrder and the projection', async () => {
    const { traceId } = report;
    const find = (spans: CollectedSpan[], service: string, kind: SpanKind, name: string) =>
      spans.find((span) => span.service === service && span.kind === kind + 1 && span.name.includes(name));
    // SpanKind in @opentelemetry/api counts from 0 (INTERNAL); OTLP from 1.
    const expected = [
      ['platform-demo', SpanKind.INTERNAL, 'demo: place an order'],
      ['platform-demo', SpanKind.CLIENT, 'CreateOrder'],
      ['order-service', SpanKind.SERVER, 'CreateOrder'],
      ['user-service', SpanKind.SERVER, 'GetUser'],
      ['order-service', SpanKind.PRODUCER, 'order.events.v1 publish'],
      ['fulfillment-worker', SpanKind.CONSUMER, 'order.events.v1 process'],
      ['fulfillment-worker', SpanKind.CLIENT, 'ConfirmOrder'],
      ['order-service', SpanKind.SERVER, 'ConfirmOrder'],
      ['user-service', SpanKind.CONSUMER, 'order.events.v1 process'],
    ] as const;
    const spans = await waitFor(
      'every hop of the trace',
      async () => {
        const ofTrace = collector.spans().filter((span) => span.traceId === traceId);
        const all = expected.every(([service, kind, name]) => find(ofTrace, service, kind, name));
        // The projection handles two events of this trace: OrderCreated and OrderConfirmed.
        const projected = ofTrace.filter(
          (span) => span.service === 'user-service' && span.kind === SpanKind.CONSUMER + 1,
        );
        return all && projected.length >= 2 ? ofTrace : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const parentOf = (span: CollectedSpan | undefined) => byId.get(span?.parentSpanId ?? '');
    const at = (index: number) => {
      const [service, kind, name] = expected[index] ?? expected[0];
      return find(spans, service, kind, name);
    };
    // Every span but the root hangs off another span of the same trace.
    expect(spans.filter((span) => span.parentSpanId && !byId.has(span.parentSpanId))).toEqual([]);
    expect(spans.filter((span) => !span.parentSpanId).map((span) => span.name)).toEqual([
      'demo: place an order',
    ]);
    // The links that cross a process or Kafka (retry attempts may sit between a call and its server span).
    const ancestors = (span: CollectedSpan | undefined): string[] => {
      const chain: string[] = [];
      for (let parent = parentOf(span); parent; parent = parentOf(parent)) chain.push(parent.spanId);
      return chain;
    };
    expect(ancestors(at(2))).toContain(at(1)?.spanId); // client -> order-service
    expect(ancestors(at(3))).toContain(at(2)?.spanId); // order-service -> user-service
    const producers = spans.filter((span) => span.kind === SpanKind.PRODUCER + 1);
    expect(producers.length).toBeGreaterThanOrEqual(2); // OrderCreated and OrderConfirmed
    const consumers = spans.filter((span) => span.kind === SpanKind.CONSUMER + 1);
    for (const consumer of consumers) expect(parentOf(consumer)?.kind).toBe(SpanKind.PRODUCER + 1); // Kafka hop
    expect(ancestors(at(5))).toContain(at(2)?.spanId); // CreateOrder -> outbox -> worker
    expect(ancestors(at(7))).toContain(at(5)?.spanId); // worker -> ConfirmOrder
    const projections = consumers.filter((span) => span.service === 'user-service');
    // The projection of OrderCreated descends from CreateOrder, that of OrderConfirmed from ConfirmOrder.
    expect(projections.some((span) => ancestors(span).includes(at(7)?.spanId ?? ''))).toBe(true);
    expect(projections.some((span) => !ancestors(span).includes(at(7)?.spanId ?? ''))).toBe(true);
  });

  it('exposes the gRPC, consumer and outbox series with non-zero values on every app', async () => {
    const [user, order, worker] = await Promise.all([
      stack.userService.metrics(),
      stack.orderService.metrics(),
      stack.worker.metrics(),
    ]);
    const group = (name: string) => `${stack.namespace}${name}`;
    expect(metricSum(order, 'grpc_server_handled_total', { grpc_method: 'CreateOrder' })).toBeGreaterThan(0);
    expect(
      metricSum(order, 'grpc_server_handling_seconds_count', { grpc_method: 'ConfirmOrder' }),
    ).toBeGreaterThan(0);
    expect(metricSum(order, 'outbox_published_total')).toBeGreaterThan(0);
    expect(metricSum(user, 'grpc_server_handled_total', { grpc_method: 'GetUser' })).toBeGreaterThan(0);
    expect(metricSum(user, 'outbox_published_total')).toBeGreaterThan(0);
    expect(
      metricSum(user, 'events_processed_total', {
        group: group('user-service.order-stats'),
        outcome: 'handled',
      }),
    ).toBeGreaterThan(0);
    expect(user).toMatch(/^events_consumer_lag\{/m);
    expect(user).toMatch(/^events_handler_seconds_count\{/m);
    expect(
      metricSum(worker, 'events_processed_total', {
        group: group('fulfillment-worker'),
        outcome: 'handled',
      }),
    ).toBeGreaterThan(0);
    expect(metricSum(worker, 'grpc_client_handled_total', { grpc_method: 'ConfirmOrder' })).toBeGreaterThan(
      0,
    );
  });

  it("writes the scenario's trace id in the apps' log lines", () => {
    const traced = (lines: typeof stack.orderService.logs) =>
      lines
        .filter((line) => line['trace_id'] === report.traceId)
        .map((line) => String(line['grpc.method'] ?? line.msg));
    expect(traced(stack.orderService.logs)).toEqual(expect.arrayContaining(['CreateOrder', 'ConfirmOrder']));
    expect(traced(stack.userService.logs)).toEqual(expect.arrayContaining(['GetUser']));
    expect(traced(stack.worker.logs)).toEqual(expect.arrayContaining(['order confirmed']));
  });
});

describe('bad input against the started stack', () => {
  it('answers the documented codes and details', async () => {
    const alice = await stack.signUp();
    const bob = await stack.signUp();
    const as = (token: string) => ({ metadata: bearer(token) });
    const invalid = await expectGrpcError(
      stack.orders.createOrder(
        CreateOrderRequest.create({
          requestId: 'bad-1',
          userId: '',
          currencyCode: 'XXX1',
          items: [{ sku: '', quantity: 0, unitPriceMinor: '-1' }],
        }),
        as(alice.token),
      ),
      GrpcStatus.INVALID_ARGUMENT,
    );
    expect(fieldsOf(invalid)).toEqual(
      expect.arrayContaining([
        'currency_code',
        'items[0].sku',
        'items[0].quantity',
        'items[0].unit_price_minor',
      ]),
    );
    await expectGrpcError(
      stack.orders.getOrder(GetOrderRequest.create({ orderId: report.order.id })),
      GrpcStatus.UNAUTHENTICATED,
    );
    const hidden = await expectGrpcError(
      stack.orders.getOrder(GetOrderRequest.create({ orderId: report.order.id }), as(bob.token)),
      GrpcStatus.NOT_FOUND,
    );
    expect(hidden.statusDetails.errorInfo?.reason).toBe('ORDER_NOT_FOUND');
    const denied = await expectGrpcError(
      stack.orders.confirmOrder(ConfirmOrderRequest.create({ orderId: report.order.id }), as(alice.token)),
      GrpcStatus.PERMISSION_DENIED,
    );
    expect(denied.statusDetails.errorInfo?.reason).toBeTruthy();
    const taken = await expectGrpcError(
      stack.users.createUser(
        CreateUserRequest.create({
          email: report.email.toUpperCase(),
          password: 'Another-Str0ng-passphrase',
          displayName: 'X',
        }),
      ),
      GrpcStatus.ALREADY_EXISTS,
    );
    expect(taken.statusDetails.errorInfo?.reason).toBe('USER_EMAIL_TAKEN');
  });
});

describe('a deactivated user, through Kafka', () => {
  it("cancels the user's pending orders and refuses new ones once the order service consumed the deactivation; a known user's orders ask the user service nothing", async () => {
    // The worker would confirm the orders after FULFILLMENT_DURATION: stopped, they stay PENDING
    // until the deactivation reaches the order service.
    await stack.worker.stop();
    try {
      const carol = await stack.signUp();
      const admin = await stack.admin();
      const as = (token: string) => ({ metadata: bearer(token) });
      const forCarol = () =>
        CreateOrderRequest.create({
          requestId: randomUUID(),
          userId: carol.userId,
          currencyCode: 'EUR',
          items: [{ sku: 'SKU-DEACTIVATE', quantity: 1, unitPriceMinor: '100' }],
        });
      const getUserCalls = async () =>
        metricSum(await stack.orderService.metrics(), 'grpc_client_handled_total', {
          grpc_method: 'GetUser',
        });
      const asked = await getUserCalls();
      const placed = [];
      for (let n = 0; n < 3; n++)
        placed.push((await stack.orders.createOrder(forCarol(), as(carol.token))).order);
      // Her first order asked the user service; the others found her standing in the order service.
      expect((await getUserCalls()) - asked).toBe(1);

      await stack.users.deactivateUser(
        DeactivateUserRequest.create({ userId: carol.userId, reason: 'e2e' }),
        as(admin.token),
      );
      for (const order of placed) {
        const cancelled = await waitFor(`order ${order?.id} cancelled by the deactivation`, async () => {
          const { order: now } = await stack.orders.getOrder(
            GetOrderRequest.create({ orderId: order?.id }),
            as(admin.token),
          );
          return now?.status === OrderStatus.ORDER_STATUS_CANCELLED ? now : undefined;
        });
        expect(cancelled.cancelReason).toBe('user deactivated: e2e');
      }
      const refused = await expectGrpcError(
        stack.orders.createOrder(forCarol(), as(admin.token)),
        GrpcStatus.FAILED_PRECONDITION,
      );
      expect(refused.statusDetails.errorInfo?.reason).toBe('USER_DEACTIVATED');
      expect((await getUserCalls()) - asked).toBe(1);
    } finally {
      await stack.worker.start();
    }
  });
});
