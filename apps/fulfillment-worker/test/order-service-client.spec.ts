// The worker's client of the order service against scripted user and order services on a real
// grpc-js server: the token comes from Authenticate with the worker's client credentials, and a
// token the order service refuses is fetched again once before the call is given up.
import { status as GrpcStatus, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { loadConfig } from '@platform/config';
import { openCall, runInCall, UnauthenticatedError } from '@platform/core';
import { ClientError } from '@platform/grpc';
import { createLogger } from '@platform/observability';
import {
  ConfirmOrderResponse,
  OrderServiceService,
  UserServiceService,
  type ConfirmOrderRequest,
} from '@platform/proto';
import { scriptedAuthenticate, startGrpcServer } from '@platform/testing';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fulfillmentWorkerConfig } from '../src/fulfillment-worker.config.js';
import { createOrderServiceClient } from '../src/order-service-client.js';

const secret = 'fulfillment-secret-0123456789abcdef';

/** Scripted services: Authenticate hands out `token-1`, `token-2` …; ConfirmOrder accepts `accepted` tokens. */
async function startServices(accepted: (token: string) => boolean) {
  const { authenticate, signIns } = scriptedAuthenticate('fulfillment-worker');
  const confirms: { orderId: string; authorization: string }[] = [];
  const server = await startGrpcServer({
    services: [
      {
        definition: UserServiceService,
        implementation: { authenticate },
      },
      {
        definition: OrderServiceService,
        implementation: {
          confirmOrder(
            call: ServerUnaryCall<ConfirmOrderRequest, ConfirmOrderResponse>,
            callback: sendUnaryData<ConfirmOrderResponse>,
          ) {
            const authorization = String(call.metadata.get('authorization')[0] ?? '');
            confirms.push({ orderId: call.request.orderId, authorization });
            if (accepted(authorization.replace(/^Bearer /, '')))
              callback(null, ConfirmOrderResponse.create({ order: null }));
            else
              callback(
                new UnauthenticatedError('Access token signed with an unknown key', {
                  reason: 'TOKEN_KEY_UNKNOWN',
                }),
              );
          },
        },
      },
    ],
  });
  onTestFinished(() => server.stop());
  const config = loadConfig(fulfillmentWorkerConfig, {
    KAFKA_BROKERS: '127.0.0.1:9092',
    ORDER_SERVICE_ADDRESS: server.address,
    USER_SERVICE_ADDRESS: server.address,
    AUTH_CLIENT_SECRET: secret,
  });
  const client = createOrderServiceClient(config, {
    metrics: { registry: new Registry() },
    logging: { logger: createLogger({ name: 'test', level: 'silent' }) },
    retry: {},
  });
  onTestFinished(() => client.close());
  return { client, signIns, confirms };
}

describe('createOrderServiceClient', () => {
  it('signs in with the client credentials once and sends the token on every ConfirmOrder', async () => {
    const { client, signIns, confirms } = await startServices(() => true);
    await client.confirm('order-1');
    await client.confirm('order-2');
    expect(signIns).toEqual([
      expect.objectContaining({ client: { clientId: 'fulfillment-worker', clientSecret: secret } }),
    ]);
    expect(confirms).toEqual([
      { orderId: 'order-1', authorization: 'Bearer token-1' },
      { orderId: 'order-2', authorization: 'Bearer token-1' },
    ]);
  });

  it('fetches a new token when the order service refuses the cached one, and calls again once', async () => {
    const { client, signIns, confirms } = await startServices((token) => token !== 'token-1');
    await client.confirm('order-1');
    expect(signIns).toHaveLength(2);
    expect(confirms.map((call) => call.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('gives up UNAUTHENTICATED when the fresh token is refused too', async () => {
    const { client, signIns, confirms } = await startServices(() => false);
    const failure = await client.confirm('order-1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClientError);
    expect((failure as ClientError).code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect((failure as ClientError).reason).toBe('TOKEN_KEY_UNKNOWN');
    expect(signIns).toHaveLength(2);
    expect(confirms).toHaveLength(2);
  });

  it("cancels the call when the handler's call scope was aborted", async () => {
    const { client } = await startServices(() => true);
    const controller = new AbortController();
    controller.abort();
    const { scope, close } = openCall({
      name: 'fulfillment-worker/platform.order.v1.OrderCreated',
      signal: controller.signal,
    });
    onTestFinished(close);
    const failure = await runInCall(scope, () => client.confirm('order-1')).catch((error: unknown) => error);
    expect((failure as ClientError).code).toBe(GrpcStatus.CANCELLED);
  });
});
