// The platform as separate processes from their builds: the user service, the order service
// (publishing its events) and the fulfillment worker, on free loopback ports, PGlite data in a
// temporary directory, one random Kafka namespace on the test broker.
import { bearer, promiseClient, type PromiseClient } from '@platform/grpc';
import { createTestClient } from '@platform/grpc/testing';
import {
  AuthenticateRequest,
  CreateOrderRequest,
  CreateUserRequest,
  OrderServiceClient,
  UserServiceClient,
} from '@platform/proto';
import {
  freePort,
  startServiceProcess,
  testKafkaBrokers,
  type LogEntry,
  type ServiceProcess,
} from '@platform/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtMain } from './built-main.js';

/** A signed-up user and their token. */
export interface Caller {
  readonly userId: string;
  readonly token: string;
}

/** A running worker process and its metrics port. */
export interface WorkerProcess {
  readonly process: ServiceProcess;
  readonly metricsPort: number;
  /** `GET /metrics` of the worker. */
  metrics(): Promise<string>;
}

export interface Platform {
  readonly brokers: string[];
  /** `KAFKA_NAMESPACE` of every process, ending in `.`. */
  readonly namespace: string;
  readonly userService: ServiceProcess;
  readonly orderService: ServiceProcess;
  /** Raw client of the order service (streams); unary calls through `orders`. */
  readonly orderClient: OrderServiceClient;
  readonly orders: PromiseClient<OrderServiceClient>;
  /** The environment a worker of this platform runs with. */
  workerEnv(): Record<string, string>;
  /** Starts a worker process (stopped by `dispose` if still running). */
  startWorker(env?: Record<string, string>): Promise<WorkerProcess>;
  signUp(): Promise<Caller>;
  dispose(): Promise<void>;
}

/** Event-layer settings shared by every process: fast retries, fast relay. */
export function eventEnv(brokers: readonly string[], namespace: string): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_NAMESPACE: namespace,
    EVENTS_RETRY_DELAYS: '200ms,200ms',
    EVENTS_RELAY_POLL_INTERVAL: '100ms',
  };
}

/** A valid order request. */
export function orderRequest(overrides: Partial<CreateOrderRequest> = {}): CreateOrderRequest {
  return CreateOrderRequest.create({
    requestId: `req-${randomBytes(8).toString('hex')}`,
    userId: '',
    items: [{ sku: 'sku-apple', quantity: 3, unitPriceMinor: '125' }],
    currencyCode: 'EUR',
    ...overrides,
  });
}

export function asCaller(caller: Caller) {
  return { metadata: bearer(caller.token) };
}

export async function startPlatform(): Promise<Platform> {
  const cleanup: (() => Promise<unknown>)[] = [];
  const disposeAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const brokers = testKafkaBrokers();
    const namespace = `fw${randomBytes(5).toString('hex')}.`;
    const dir = await mkdtemp(join(tmpdir(), 'fulfillment-worker-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const jwksFile = join(dir, 'auth', 'jwks.json');
    const orderSecret = randomBytes(24).toString('base64url');
    const workerSecret = randomBytes(24).toString('base64url');
    const events = eventEnv(brokers, namespace);

    const user = await startServiceProcess('user-service', builtMain('user-service'), {
      USER_GRPC_PORT: String(await freePort()),
      USER_METRICS_PORT: '0',
      USER_DATA_DIR: join(dir, 'user-service'),
      AUTH_JWKS_FILE: jwksFile,
      AUTH_SERVICE_CLIENTS: `order-service:${orderSecret},fulfillment-worker:${workerSecret}`,
      PASSWORD_SCRYPT_COST: '1024',
      ...events,
    });
    cleanup.push(() => user.process.stop());
    const userAddress = String(user.ready['address']);

    const order = await startServiceProcess('order-service', builtMain('order-service'), {
      ORDER_GRPC_PORT: String(await freePort()),
      ORDER_METRICS_PORT: '0',
      ORDER_DATA_DIR: join(dir, 'order-service'),
      USER_SERVICE_ADDRESS: userAddress,
      AUTH_JWKS_FILE: jwksFile,
      AUTH_CLIENT_SECRET: orderSecret,
      HEALTH_CHECK_INTERVAL: '200ms',
      SHUTDOWN_DRAIN_TIMEOUT: '2s',
      ...events,
    });
    cleanup.push(() => order.process.stop());
    const orderAddress = String(order.ready['address']);

    const userClient = createTestClient(UserServiceClient, userAddress);
    cleanup.push(async () => userClient.close());
    const users = promiseClient(userClient);
    const orderClient = createTestClient(OrderServiceClient, orderAddress);
    cleanup.push(async () => orderClient.close());

    const workerEnv = () => ({
      ...events,
      ORDER_SERVICE_ADDRESS: orderAddress,
      USER_SERVICE_ADDRESS: userAddress,
      AUTH_CLIENT_SECRET: workerSecret,
      WORKER_METRICS_PORT: '0',
      WORKER_METRICS_HOST: '127.0.0.1',
      SHUTDOWN_DRAIN_TIMEOUT: '5s',
    });
    return {
      brokers,
      namespace,
      userService: user.process,
      orderService: order.process,
      orderClient,
      orders: promiseClient(orderClient),
      workerEnv,
      async startWorker(env = {}) {
        const worker = await startServiceProcess('fulfillment-worker', builtMain('fulfillment-worker'), {
          ...workerEnv(),
          ...env,
        });
        cleanup.push(() => worker.process.stop());
        return workerOf(worker.process, worker.ready);
      },
      async signUp() {
        const email = `buyer-${randomBytes(6).toString('hex')}@example.com`;
        const password = `Tr4in-${randomBytes(12).toString('base64url')}-station`;
        await users.createUser(CreateUserRequest.create({ email, password, displayName: 'Buyer' }));
        const response = await users.authenticate(
          AuthenticateRequest.create({
            password: { email, password },
          }),
        );
        return { userId: response.subject, token: response.accessToken };
      },
      dispose: disposeAll,
    };
  } catch (error) {
    await disposeAll();
    throw error;
  }
}

export function workerOf(process: ServiceProcess, ready: LogEntry): WorkerProcess {
  const metricsPort = Number(ready['metricsPort']);
  return {
    process,
    metricsPort,
    async metrics() {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      return response.text();
    },
  };
}
