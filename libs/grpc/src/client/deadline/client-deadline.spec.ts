import * as grpc from '@grpc/grpc-js';
import {
  GetOrderRequest,
  GetOrderResponse,
  OrderServiceClient,
  OrderServiceService,
  WatchOrderRequest,
} from '@platform/proto';
import {
  startFaultServer,
  startGrpcServer,
  type FaultServer,
  type RunningGrpcServer,
} from '@platform/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../channel/create-client.js';
import { unaryCall } from '../channel/unary-call.js';
import { ClientError } from '../errors/client-error.js';
import { remainingMs } from '@platform/core';
import { contextInterceptor } from '../../server/context/context.interceptor.js';
import { deadlineClientInterceptor } from './client-deadline.interceptor.js';
import type { DeadlineClientOptions } from './client-deadline-options.js';

const getOrder = OrderServiceService.getOrder.path;
const watchOrder = OrderServiceService.watchOrder.path;
const importOrders = OrderServiceService.importOrders.path;
const trackOrders = OrderServiceService.trackOrders.path;

// downstream: the fault server, which records the deadline each attempt arrived with.
// upstream: a server whose GetOrder handler calls downstream's GetOrder through the
// interceptor under test, after `delayBeforeCallMs`.
let downstream: FaultServer;
let upstream: RunningGrpcServer | undefined;
let upstreamClient: OrderServiceClient | undefined;
let downstreamClient: OrderServiceClient | undefined;

interface HandlerView {
  /** remainingMs() in the handler just before the downstream call. */
  remainingAtCall: number;
  downstreamError: ClientError | undefined;
}

beforeAll(async () => {
  downstream = await startFaultServer();
});

afterEach(async () => {
  upstreamClient?.close();
  downstreamClient?.close();
  await upstream?.stop();
  upstream = upstreamClient = downstreamClient = undefined;
  downstream.reset();
});

afterAll(() => downstream.stop());

function clientOf(options: DeadlineClientOptions) {
  downstreamClient = createClient(OrderServiceClient, downstream.address, {
    interceptors: [deadlineClientInterceptor(options)],
  });
  return downstreamClient;
}

async function startUpstream(options: DeadlineClientOptions, delayBeforeCallMs = 0) {
  const orders = clientOf(options);
  let view!: Promise<HandlerView>;
  upstream = await startGrpcServer({
    interceptors: [contextInterceptor],
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
            view = (async () => {
              await new Promise((resolve) => setTimeout(resolve, delayBeforeCallMs));
              const remainingAtCall = remainingMs();
              const downstreamError = await unaryCall(
                orders.getOrder.bind(orders),
                GetOrderRequest.create({ orderId: 'o-1' }),
              ).then(
                () => undefined,
                (error: unknown) => error as ClientError,
              );
              callback(downstreamError ?? null, GetOrderResponse.create({ order: null }));
              return { remainingAtCall, downstreamError };
            })();
          },
        } as grpc.UntypedServiceImplementation,
      },
    ],
  });
  upstreamClient = new OrderServiceClient(upstream.address, grpc.credentials.createInsecure());
  return { client: upstreamClient, handlerView: () => view };
}

function callUpstream(client: OrderServiceClient, deadline: number) {
  return new Promise<grpc.ServiceError | null>((resolve) =>
    client.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), new grpc.Metadata(), { deadline }, (error) =>
      resolve(error),
    ),
  );
}

/** How long the downstream attempt had left when its handler started, in ms. */
function downstreamBudgetMs(path: string = getOrder): number | undefined {
  const [attempt] = downstream.attempts(path);
  return attempt?.deadline === undefined ? undefined : attempt.deadline - attempt.receivedAt;
}

describe('outgoing call inside a server call', () => {
  it('inherits the incoming deadline minus the margin', async () => {
    const { client, handlerView } = await startUpstream({ marginMs: 50 });
    expect(await callUpstream(client, Date.now() + 2_000)).toBeNull();
    const { remainingAtCall } = await handlerView();
    const budget = downstreamBudgetMs() ?? Number.NaN;
    expect(budget).toBeLessThanOrEqual(remainingAtCall - 50);
    // Not the 10 s default: the incoming deadline is what bounds it.
    expect(budget).toBeGreaterThan(1_000);
  });

  it('keeps its own deadline when that is the shorter one', async () => {
    const { client } = await startUpstream({ defaultDeadlineMs: 300 });
    expect(await callUpstream(client, Date.now() + 5_000)).toBeNull();
    expect(downstreamBudgetMs()).toBeLessThanOrEqual(300);
  });

  it('fails DEADLINE_EXCEEDED without sending when no time is left', async () => {
    const { client, handlerView } = await startUpstream({ marginMs: 150 }, 60);
    const upstreamError = await callUpstream(client, Date.now() + 200);
    const { downstreamError } = await handlerView();
    expect(downstreamError?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(upstreamError?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(downstream.attempts(getOrder)).toHaveLength(0);
  });
});

describe('cancelling the upstream call', () => {
  it('cancels the downstream call, as the downstream server observes', async () => {
    downstream.script(getOrder, { hang: true });
    const { client, handlerView } = await startUpstream({});
    const upstreamCall = client.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), () => undefined);
    const attempt = await downstream.whenAttempt(getOrder, 1);
    expect(attempt.cancelled).toBe(false);

    upstreamCall.cancel();

    await attempt.whenCancelled;
    expect(attempt.cancelled).toBe(true);
    expect((await handlerView()).downstreamError?.code).toBe(grpc.status.CANCELLED);
  });
});

describe('outgoing call outside any server call', () => {
  it('gets the 10 s default when unary and the caller set none', async () => {
    const orders = clientOf({});
    await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' }));
    const budget = downstreamBudgetMs();
    expect(budget).toBeLessThanOrEqual(10_000);
    expect(budget).toBeGreaterThan(9_000);
  });

  it("keeps the caller's own deadline", async () => {
    const orders = clientOf({});
    await unaryCall(
      orders.getOrder.bind(orders),
      GetOrderRequest.create({ orderId: 'o-1' }),
      new grpc.Metadata(),
      {
        deadline: Date.now() + 1_234,
      },
    );
    expect(downstreamBudgetMs()).toBeLessThanOrEqual(1_234);
  });

  it('gets no deadline when a server stream and no default is configured for streams', async () => {
    const orders = clientOf({});
    await new Promise((resolve) =>
      orders
        .watchOrder(WatchOrderRequest.create({ orderId: 'o-1' }))
        .on('end', resolve)
        .resume(),
    );
    expect(downstream.attempts(watchOrder)).toHaveLength(1);
    expect(downstreamBudgetMs(watchOrder)).toBeUndefined();
  });

  it('takes per-method defaults from a function of the path', async () => {
    const orders = clientOf({ defaultDeadlineMs: (path) => (path === watchOrder ? 700 : undefined) });
    await new Promise((resolve) =>
      orders
        .watchOrder(WatchOrderRequest.create({ orderId: 'o-1' }))
        .on('end', resolve)
        .resume(),
    );
    await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' }));
    expect(downstreamBudgetMs(watchOrder)).toBeLessThanOrEqual(700);
    expect(downstreamBudgetMs(getOrder)).toBeUndefined();
  });

  it('applies to client-streaming and bidi calls alike', async () => {
    const orders = clientOf({ defaultDeadlineMs: () => 800 });
    await new Promise((resolve) => orders.importOrders(resolve).end());
    const bidi = orders.trackOrders();
    await new Promise((resolve) => bidi.on('end', resolve).resume().end());
    expect(downstreamBudgetMs(importOrders)).toBeLessThanOrEqual(800);
    expect(downstreamBudgetMs(trackOrders)).toBeLessThanOrEqual(800);
  });
});
