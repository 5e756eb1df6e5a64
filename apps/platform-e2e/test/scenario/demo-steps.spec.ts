// The demo's waiting steps against scripted services on loopback: what they do when the services
// answer in ways a healthy stack rarely shows (a stream message without an order, an error, a
// projection that lags), which the scenario suite on the real stack reaches only by chance.
import {
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { createClient, promiseClient } from '@platform/grpc';
import {
  GetUserOrderStatsRequest,
  GetUserOrderStatsResponse,
  Order,
  OrderServiceClient,
  OrderServiceService,
  OrderStatus,
  UserOrderStats,
  UserServiceClient,
  UserServiceService,
  WatchOrderRequest,
  WatchOrderResponse,
} from '@platform/proto';
import { startGrpcServer } from '@platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { statsOnceProjected } from '../../src/stats-once-projected.js';
import { watchUntilFinal } from '../../src/watch-until-final.js';

async function orderService(
  watch: (call: ServerWritableStream<WatchOrderRequest, WatchOrderResponse>) => void,
) {
  const server = await startGrpcServer({
    services: [{ definition: OrderServiceService, implementation: { watchOrder: watch } }],
  });
  const client = createClient(OrderServiceClient, server.address);
  onTestFinished(async () => {
    client.close();
    await server.stop();
  });
  return client;
}

const order = (status: OrderStatus) =>
  WatchOrderResponse.create({ order: Order.create({ id: 'o-1', status }) });

describe('watchUntilFinal', () => {
  it('reports the statuses of the messages that carry an order, until the stream ends', async () => {
    const client = await orderService((call) => {
      call.write(order(OrderStatus.ORDER_STATUS_PENDING));
      call.write(WatchOrderResponse.create({ order: null }));
      call.write(order(OrderStatus.ORDER_STATUS_CONFIRMED));
      call.end();
    });
    const reported: OrderStatus[] = [];
    const seen = await watchUntilFinal(client, 'o-1', 'token', 5_000, (status) => reported.push(status));
    expect(seen).toEqual([OrderStatus.ORDER_STATUS_PENDING, OrderStatus.ORDER_STATUS_CONFIRMED]);
    expect(reported).toEqual(seen);
  });

  it('rejects with the error of a stream that fails', async () => {
    const client = await orderService((call) => {
      call.write(order(OrderStatus.ORDER_STATUS_PENDING));
      call.emit('error', Object.assign(new Error('the order service failed'), { code: GrpcStatus.INTERNAL }));
    });
    await expect(watchUntilFinal(client, 'o-1', 'token', 5_000)).rejects.toMatchObject({
      code: GrpcStatus.INTERNAL,
    });
  });

  it('ends with what it saw when the stream is cancelled', async () => {
    const client = await orderService((call) => {
      call.write(order(OrderStatus.ORDER_STATUS_PENDING));
      call.emit('error', Object.assign(new Error('cancelled'), { code: GrpcStatus.CANCELLED }));
    });
    expect(await watchUntilFinal(client, 'o-1', 'token', 5_000)).toEqual([OrderStatus.ORDER_STATUS_PENDING]);
  });
});

/** A user service whose GetUserOrderStats answers each of `answers` in turn, then the last again. */
async function statsService(answers: (UserOrderStats | null)[]) {
  let calls = 0;
  const server = await startGrpcServer({
    services: [
      {
        definition: UserServiceService,
        implementation: {
          getUserOrderStats: (
            _call: ServerUnaryCall<GetUserOrderStatsRequest, GetUserOrderStatsResponse>,
            callback: sendUnaryData<GetUserOrderStatsResponse>,
          ) => {
            const stats = answers[Math.min(calls, answers.length - 1)] ?? null;
            calls += 1;
            callback(null, GetUserOrderStatsResponse.create({ stats }));
          },
        },
      },
    ],
  });
  const client = createClient(UserServiceClient, server.address);
  onTestFinished(async () => {
    client.close();
    await server.stop();
  });
  return { users: promiseClient(client), calls: () => calls };
}

const stats = (orderCount: number, confirmedCount: number, cancelledCount = 0) =>
  UserOrderStats.create({
    userId: 'u-1',
    orderCount: String(orderCount),
    confirmedCount: String(confirmedCount),
    cancelledCount: String(cancelledCount),
  });

describe('statsOnceProjected', () => {
  it('polls until the projection counted every order and each is final', async () => {
    const service = await statsService([null, stats(2, 0), stats(3, 1), stats(3, 2, 1)]);
    expect(await statsOnceProjected(service.users, 'u-1', 'token', 3)).toMatchObject({
      orderCount: '3',
      confirmedCount: '2',
      cancelledCount: '1',
    });
    expect(service.calls()).toBe(4);
  });

  it('takes the counted orders once the settle window passed without all of them final', async () => {
    const service = await statsService([stats(3, 1)]);
    expect(await statsOnceProjected(service.users, 'u-1', 'token', 3, 300)).toMatchObject({
      orderCount: '3',
      confirmedCount: '1',
    });
    expect(service.calls()).toBeGreaterThan(1);
  });

  it('fails, saying so, when the projection never counted the orders', async () => {
    const service = await statsService([stats(1, 1)]);
    await expect(statsOnceProjected(service.users, 'u-1', 'token', 3, 300)).rejects.toThrow(
      'the order statistics did not reach 3 orders in 0.3 s',
    );
  });
});
