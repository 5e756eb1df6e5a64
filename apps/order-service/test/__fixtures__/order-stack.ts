// The order service under test, in-process, with a real user service (a separate process) or a
// scripted one (the fault server), and clients for every kind of call.
import 'reflect-metadata';
import { loadConfig } from '@platform/config';
import { bearer, promiseClient, type PromiseCallOptions, type PromiseClient } from '@platform/grpc';
import { createTestClient } from '@platform/grpc/testing';
import { createLogger } from '@platform/observability';
import {
  CreateOrderRequest,
  ListOrdersRequest,
  OrderServiceClient,
  OrderStatus,
  UserServiceClient,
  type Order,
} from '@platform/proto';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@platform/testing';
import {
  orderServiceConfig,
  startOrderService,
  type OrderDatabaseLocation,
  type RunningOrderService,
} from '../../src/index.js';

/** Call options sending `token` as a bearer token. */
export function asCaller(token: string, options: PromiseCallOptions = {}): PromiseCallOptions {
  return { ...options, metadata: bearer(token) };
}

/** A valid order request; `overrides` replace its fields. */
export function orderRequest(overrides: Partial<CreateOrderRequest> = {}): CreateOrderRequest {
  return CreateOrderRequest.create({
    requestId: `req-${randomBytes(8).toString('hex')}`,
    userId: '',
    items: [
      { sku: 'sku-apple', quantity: 3, unitPriceMinor: '125' },
      { sku: 'sku-pear', quantity: 1, unitPriceMinor: '250' },
    ],
    currencyCode: 'EUR',
    ...overrides,
  });
}

/** The caller's orders, newest first (the first 10). */
export async function ordersOf(
  service: Pick<OrderServiceUnderTest, 'orders'>,
  token: string,
): Promise<Order[]> {
  const { orders } = await service.orders.listOrders(
    ListOrdersRequest.create({
      pageSize: 10,
      pageToken: '',
      status: OrderStatus.ORDER_STATUS_UNSPECIFIED,
      userId: '',
    }),
    asCaller(token),
  );
  return orders;
}

export interface OrderServiceUnderTest {
  readonly service: RunningOrderService;
  /** Raw client, for streams; unary calls through `orders`. */
  readonly client: OrderServiceClient;
  readonly orders: PromiseClient<OrderServiceClient>;
  stop(): Promise<void>;
}

/** Starts the order service against `userServiceAddress`, reading tokens' keys from `jwksFile`. */
export async function startOrderServiceUnderTest(options: {
  database: OrderDatabaseLocation;
  userServiceAddress: string;
  jwksFile: string;
  clientSecret: string;
  env?: Record<string, string>;
}): Promise<OrderServiceUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'order-service-test-'));
  const config = loadConfig(orderServiceConfig, {
    ORDER_GRPC_PORT: String(await freePort()),
    ORDER_METRICS_PORT: '0',
    ORDER_DATA_DIR: dataDir,
    USER_SERVICE_ADDRESS: options.userServiceAddress,
    AUTH_JWKS_FILE: options.jwksFile,
    AUTH_CLIENT_SECRET: options.clientSecret,
    HEALTH_CHECK_INTERVAL: '100ms',
    SHUTDOWN_DRAIN_TIMEOUT: '2s',
    ...options.env,
  });
  let service: RunningOrderService;
  try {
    service = await startOrderService(config, {
      logger: createLogger({ name: 'order-service', level: 'silent' }),
      database: options.database,
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const client = createTestClient(OrderServiceClient, service.address);
  return {
    service,
    client,
    orders: promiseClient(client),
    async stop() {
      client.close();
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A client of a user service, for signing up and signing in the callers of a test. */
export function userServiceClient(address: string) {
  const client = createTestClient(UserServiceClient, address);
  return { users: promiseClient(client), close: () => client.close() };
}
