// The platform as processes: user-service, order-service and fulfillment-worker from their
// builds, each on its own PostgreSQL database, on one Kafka broker, in one topic namespace.
import { bearer, promiseClient, type PromiseClient } from '@platform/grpc';
import { createTestClient } from '@platform/grpc/testing';
import {
  AuthenticateRequest,
  CreateUserRequest,
  OrderServiceClient,
  UserServiceClient,
} from '@platform/proto';
import { freePort } from '@platform/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from './app-process.js';
import { createDatabase, type TestDatabase } from './databases.js';

/** A signed-in caller. */
export interface Caller {
  readonly userId: string;
  readonly token: string;
}

export interface PlatformStack {
  readonly namespace: string;
  readonly userService: AppProcess;
  readonly orderService: AppProcess;
  readonly worker: AppProcess;
  readonly userDb: TestDatabase;
  readonly orderDb: TestDatabase;
  readonly users: PromiseClient<UserServiceClient>;
  readonly orders: PromiseClient<OrderServiceClient>;
  /** Raw order client, for streams. */
  readonly orderClient: OrderServiceClient;
  /** Another instance of an app, on the same database and group (its own ports). */
  another(app: 'user-service' | 'order-service' | 'fulfillment-worker'): Promise<AppProcess>;
  signUp(): Promise<Caller>;
  admin(): Promise<Caller>;
  dispose(): Promise<void>;
}

const randomSecret = () => randomBytes(24).toString('base64url');

/** Starts the three apps on `brokers`; `env` adds variables to every app (e.g. EVENTS_RETRY_DELAYS). */
export async function startPlatform(
  brokers: string,
  env: Record<string, string> = {},
): Promise<PlatformStack> {
  const cleanup: (() => Promise<unknown>)[] = [];
  const disposeAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const dir = await mkdtemp(join(tmpdir(), 'platform-e2e-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const userDb = await createDatabase('e2e_users');
    cleanup.push(() => userDb.drop());
    const orderDb = await createDatabase('e2e_orders');
    cleanup.push(() => orderDb.drop());
    const namespace = `e2e${randomBytes(4).toString('hex')}.`;
    const secrets = {
      adminEmail: 'admin@example.com',
      adminPassword: `Adm1n-${randomBytes(9).toString('base64url')}-key`,
      orderService: randomSecret(),
      worker: randomSecret(),
    };
    const jwksFile = join(dir, 'auth', 'jwks.json');
    const shared = {
      KAFKA_BROKERS: brokers,
      KAFKA_NAMESPACE: namespace,
      EVENTS_RELAY_POLL_INTERVAL: '200ms',
      SHUTDOWN_DRAIN_TIMEOUT: '2s',
      ...env,
    };
    const userPort = await freePort();
    const orderPort = await freePort();
    const userEnv = (port: number, name: string) => ({
      ...shared,
      USER_GRPC_PORT: String(port),
      USER_METRICS_PORT: '0',
      USER_DATA_DIR: join(dir, name),
      DATABASE_URL: userDb.url,
      AUTH_JWKS_FILE: jwksFile,
      AUTH_SERVICE_CLIENTS: `order-service:${secrets.orderService},fulfillment-worker:${secrets.worker}`,
      BOOTSTRAP_ADMIN_EMAIL: secrets.adminEmail,
      BOOTSTRAP_ADMIN_PASSWORD: secrets.adminPassword,
      PASSWORD_SCRYPT_COST: '1024',
      // Load tests sign in many users from one address.
      USER_RATE_LIMIT_PER_SECOND: '10000',
      USER_RATE_LIMIT_BURST: '10000',
    });
    const orderEnv = (port: number, name: string) => ({
      ...shared,
      ORDER_GRPC_PORT: String(port),
      ORDER_METRICS_PORT: '0',
      ORDER_DATA_DIR: join(dir, name),
      DATABASE_URL: orderDb.url,
      USER_SERVICE_ADDRESS: `127.0.0.1:${userPort}`,
      AUTH_JWKS_FILE: jwksFile,
      AUTH_CLIENT_SECRET: secrets.orderService,
      ORDER_RATE_LIMIT_PER_SECOND: '10000',
      ORDER_RATE_LIMIT_BURST: '10000',
    });
    const workerEnv = () => ({
      ...shared,
      WORKER_METRICS_PORT: '0',
      WORKER_METRICS_HOST: '127.0.0.1',
      ORDER_SERVICE_ADDRESS: `127.0.0.1:${orderPort}`,
      USER_SERVICE_ADDRESS: `127.0.0.1:${userPort}`,
      AUTH_CLIENT_SECRET: secrets.worker,
    });

    const started: AppProcess[] = [];
    const launch = async (app: AppProcess) => {
      started.push(app);
      await app.start();
      return app;
    };
    cleanup.push(() => Promise.all(started.map((app) => app.stop())));
    const userService = await launch(new AppProcess('user-service', userEnv(userPort, 'user-service')));
    const orderService = await launch(new AppProcess('order-service', orderEnv(orderPort, 'order-service')));
    const worker = await launch(new AppProcess('fulfillment-worker', workerEnv()));

    const userClient = createTestClient(UserServiceClient, userService.address);
    const orderClient = createTestClient(OrderServiceClient, orderService.address);
    cleanup.push(async () => {
      userClient.close();
      orderClient.close();
    });
    const users = promiseClient(userClient);
    const signIn = async (email: string, password: string): Promise<Caller> => {
      const response = await users.authenticate(
        AuthenticateRequest.create({
          password: { email, password },
        }),
      );
      return { userId: response.subject, token: response.accessToken };
    };
    return {
      namespace,
      userService,
      orderService,
      worker,
      userDb,
      orderDb,
      users,
      orders: promiseClient(orderClient),
      orderClient,
      async another(app) {
        // Instances share the data directory: one signing key, one page-token key.
        if (app === 'user-service') return launch(new AppProcess(app, userEnv(await freePort(), app)));
        if (app === 'order-service') return launch(new AppProcess(app, orderEnv(await freePort(), app)));
        return launch(new AppProcess(app, workerEnv()));
      },
      async signUp() {
        const email = `buyer-${randomBytes(6).toString('hex')}@example.com`;
        const password = `Tr4in-${randomBytes(12).toString('base64url')}-station`;
        await users.createUser(CreateUserRequest.create({ email, password, displayName: 'Buyer' }));
        return signIn(email, password);
      },
      admin: () => signIn(secrets.adminEmail, secrets.adminPassword),
      dispose: disposeAll,
    };
  } catch (error) {
    await disposeAll();
    throw error;
  }
}

/** Call options with the caller's token. */
export function as(caller: Caller) {
  return { metadata: bearer(caller.token) };
}
