// gRPC load balancing as the chart sets it up, proven outside Kubernetes with the built apps as
// processes: three user-service replicas on distinct loopback addresses (127.0.0.1-3, one port)
// behind one DNS name, served by a loopback DNS server the way a headless Service's name is; the
// order service calls it through a dns:// target with USER_SERVICE_LOAD_BALANCING=round_robin,
// and its GetUser calls (one per CreateOrder) spread over all three. The replicas end
// connections after GRPC_MAX_CONNECTION_AGE, so the order service re-resolves the name and a
// fourth replica, added to the DNS answers later, gets calls too. With pick_first (grpc-js's
// default) every call goes to one replica: the setting is what spreads them.
import { credentials, Metadata } from '@grpc/grpc-js';
import {
  AuthenticateRequest,
  CreateOrderRequest,
  CreateUserRequest,
  OrderServiceClient,
  UserServiceClient,
} from '@platform/proto';
import { checkHealth, freePort } from '@platform/testing';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { root } from './chart-tools.mjs';
import { startLoopbackDns } from './loopback-dns.mjs';

const dir = mkdtempSync(join(tmpdir(), 'platform-balancing-'));
const postgresScript = join(root, 'tools', 'scripts', 'postgres.mjs');
const postgresEnv = { ...process.env, POSTGRES_STATE_FILE: join(dir, 'postgres.json') };
const serviceName = 'user-service.platform.test';
const replicaAddresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const orderServiceSecret = randomBytes(24).toString('hex');
const processes = [];
const clients = [];
let dns;
let userPort;
let shared;

/** Starts a built app with `env`; resolves once its gRPC health answers SERVING for `service`. */
async function startApp(app, env, { address, service }) {
  const child = spawn(process.execPath, [join(root, 'apps', app, 'dist', 'main.js')], {
    cwd: dir,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4_000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  processes.push({ child, exited });
  await vi.waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${app} exited (${child.exitCode}):\n${stderr}`);
      expect((await checkHealth(address, service)).status).toBe('SERVING');
    },
    { timeout: 120_000, interval: 250 },
  );
  return child;
}

/** A user-service replica on `host` (the shared port), its metrics on a port of its own. */
async function startReplica(host) {
  const metricsPort = await freePort();
  await startApp(
    'user-service',
    {
      ...shared.userEnv,
      USER_GRPC_HOST: host,
      USER_GRPC_PORT: String(userPort),
      USER_METRICS_PORT: String(metricsPort),
      USER_DATA_DIR: join(dir, `user-${host}`),
      AUTH_JWKS_FILE: join(dir, `user-${host}`, 'jwks.json'),
    },
    { address: `${host}:${userPort}`, service: 'platform.user.v1.UserService' },
  );
  return { host, metricsPort };
}

/** GetUser calls a replica has served, from its Prometheus endpoint. */
async function getUserCalls(replica) {
  const text = await (await fetch(`http://127.0.0.1:${replica.metricsPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('grpc_server_handled_total{') && line.includes('grpc_method="GetUser"')) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

function unary(client, method, request, token) {
  const metadata = new Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

/** An order service calling the user service by `dns://<loopback DNS>/<name>:<port>` with `policy`. */
async function startOrderService(policy) {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  await startApp(
    'order-service',
    {
      ORDER_GRPC_HOST: '127.0.0.1',
      ORDER_GRPC_PORT: String(port),
      ORDER_METRICS_PORT: String(await freePort()),
      ORDER_DATA_DIR: join(dir, `order-${policy}`),
      DATABASE_URL: shared.orderDatabase,
      USER_SERVICE_ADDRESS: `dns://${dns.server}/${serviceName}:${userPort}`,
      USER_SERVICE_LOAD_BALANCING: policy,
      // grpc-js then asks the DNS server of the target instead of the system's resolver.
      GRPC_NODE_USE_ALTERNATIVE_RESOLVER: 'true',
      AUTH_CLIENT_SECRET: orderServiceSecret,
      AUTH_JWKS_FILE: join(dir, 'keys', 'jwks.json'),
    },
    { address, service: 'platform.order.v1.OrderService' },
  );
  const client = new OrderServiceClient(address, credentials.createInsecure());
  clients.push(client);
  return client;
}

async function createOrders(orders, count) {
  for (let index = 0; index < count; index += 1) {
    await unary(
      orders,
      'createOrder',
      CreateOrderRequest.create({
        requestId: `balance-${randomBytes(8).toString('hex')}`,
        currencyCode: 'EUR',
        items: [{ sku: 'book-42', quantity: 1, unitPriceMinor: '1250' }],
      }),
      shared.token,
    );
  }
}

/** Places `count` orders; resolves the GetUser calls each of the first three replicas served meanwhile. */
async function servedWhile(orders, count) {
  const before = await Promise.all(shared.replicas.map(getUserCalls));
  await createOrders(orders, count);
  return (await Promise.all(shared.replicas.map(getUserCalls))).map((total, index) => total - before[index]);
}

beforeAll(async () => {
  const keys = spawnSync(process.execPath, [
    join(root, 'deploy', 'kubernetes', 'auth-keys.mjs'),
    join(dir, 'keys'),
  ]);
  if (keys.status !== 0) throw new Error(`auth-keys.mjs failed: ${keys.stderr}`);
  const postgres = (args) => {
    const result = spawnSync(process.execPath, [postgresScript, ...args], {
      env: postgresEnv,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`postgres.mjs ${args[0]} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  postgres(['start']);
  shared = {
    orderDatabase: postgres(['database', 'order_service']),
    userEnv: {
      DATABASE_URL: postgres(['database', 'user_service']),
      // One signing key for every replica (the chart's Secret), so any replica's token verifies.
      AUTH_SIGNING_KEY_FILE: join(dir, 'keys', 'signing-key.json'),
      AUTH_SERVICE_CLIENTS: `order-service:${orderServiceSecret}`,
      USER_PAGE_TOKEN_KEY: randomBytes(32).toString('base64'),
      GRPC_MAX_CONNECTION_AGE: '3s',
      GRPC_MAX_CONNECTION_AGE_GRACE: '1s',
    },
  };
  userPort = await freePort();
  dns = await startLoopbackDns(serviceName, []);

  const email = `balance-${randomBytes(4).toString('hex')}@example.com`;
  const password = `Bal4nce-${randomBytes(12).toString('base64url')}`;
  shared.replicas = [];
  for (const host of replicaAddresses) shared.replicas.push(await startReplica(host));
  dns.addresses.push(...replicaAddresses);
  const users = new UserServiceClient(`127.0.0.1:${userPort}`, credentials.createInsecure());
  clients.push(users);
  await unary(users, 'createUser', CreateUserRequest.create({ email, password, displayName: 'Balance' }));
  shared.token = (
    await unary(users, 'authenticate', AuthenticateRequest.create({ password: { email, password } }))
  ).accessToken;
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const { child } of processes) child.kill('SIGTERM');
  await Promise.all(processes.map(({ exited }) => exited));
  await dns?.close();
  spawnSync(process.execPath, [postgresScript, 'stop'], { env: postgresEnv });
  rmSync(dir, { recursive: true, force: true });
});

describe('the order service calling three user-service replicas behind one DNS name', () => {
  it('spreads its calls over all three with round_robin', async () => {
    const orders = await startOrderService('round_robin');
    const served = await servedWhile(orders, 30);
    console.log(`round_robin: GetUser calls per replica ${JSON.stringify(served)}`);
    expect(served.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(30);
    for (const calls of served) expect(calls).toBeGreaterThan(0);

    // A fourth replica joins the name; the connection age makes the client resolve it again.
    const queriesBefore = dns.queries.length;
    const added = await startReplica('127.0.0.4');
    dns.addresses.push('127.0.0.4');
    const joined = Date.now();
    await vi.waitFor(
      async () => {
        await createOrders(orders, 5);
        expect(await getUserCalls(added)).toBeGreaterThan(0);
      },
      { timeout: 120_000, interval: 500 },
    );
    expect(dns.queries.length).toBeGreaterThan(queriesBefore);
    console.log(
      `the added replica got its first GetUser call ${((Date.now() - joined) / 1000).toFixed(1)} s after joining ` +
        `(connection age 3 s, grpc-js re-resolves at most every 30 s)`,
    );
  });

  it('sends every call to one replica with pick_first, the default it replaces', async () => {
    const orders = await startOrderService('pick_first');
    const served = await servedWhile(orders, 20);
    console.log(`pick_first: GetUser calls per replica ${JSON.stringify(served)}`);
    expect(served.filter((calls) => calls > 0)).toHaveLength(1);
  });
});
