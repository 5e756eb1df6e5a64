// The order service when the user service is down or slow (a scripted user service, the
// fault server): CreateOrder fails UNAVAILABLE within its deadline and writes nothing; a short
// deadline ends DEADLINE_EXCEEDED and the user service sees the cancellation.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { preparePglite } from '@platform/db/testing';
import { expectGrpcError } from '@platform/grpc/testing';
import { UserStatus } from '@platform/proto';
import {
  createTestIssuer,
  freePort,
  startFaultServer,
  type FaultServer,
  type TestIssuer,
} from '@platform/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  asCaller,
  orderRequest,
  ordersOf,
  startOrderServiceUnderTest,
  type OrderServiceUnderTest,
} from './__fixtures__/order-stack.js';

const getUser = '/platform.user.v1.UserService/GetUser';
const authenticate = '/platform.user.v1.UserService/Authenticate';

let dir: string;
let issuer: TestIssuer;
let jwksFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'order-faults-'));
  jwksFile = join(dir, 'jwks.json');
  issuer = await createTestIssuer();
  await issuer.writeJwks(jwksFile);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function orderService(
  userServiceAddress: string,
  env?: Record<string, string>,
): Promise<OrderServiceUnderTest> {
  const service = await startOrderServiceUnderTest({
    env,
    database: { inMemory: true, pglite: { loadDataDir: await preparePglite() } },
    userServiceAddress,
    jwksFile,
    clientSecret: randomBytes(24).toString('base64url'),
  });
  onTestFinished(() => service.stop());
  return service;
}

/** A user service that signs the order service in and answers GetUser as scripted. */
async function scriptedUserService(): Promise<FaultServer> {
  const server = await startFaultServer();
  onTestFinished(() => server.stop());
  server.script(authenticate, {
    response: {
      accessToken: 'service-token',
      expireTime: { seconds: String(Math.floor(Date.now() / 1000) + 600), nanos: 0 },
      subject: 'order-service',
      roles: ['ROLE_SERVICE'],
    },
  });
  return server;
}

describe('CreateOrder with the user service down', () => {
  it('fails UNAVAILABLE before its deadline when nothing listens there, and writes nothing', async () => {
    const service = await orderService(`127.0.0.1:${await freePort()}`);
    const userId = crypto.randomUUID();
    const token = await issuer.sign({ subject: userId });

    // UNAVAILABLE, not DEADLINE_EXCEEDED: the call ended before its deadline (the client's own
    // deadline timer would have ended it DEADLINE_EXCEEDED otherwise).
    const error = await expectGrpcError(
      service.orders.createOrder(orderRequest(), asCaller(token, { deadline: Date.now() + 30_000 })),
      GrpcStatus.UNAVAILABLE,
    );

    expect(error.statusDetails.errorInfo?.reason).toBe('DEPENDENCY_UNAVAILABLE');
    expect(await ordersOf(service, token)).toEqual([]);
  });

  it('retries GetUser (NO_SIDE_EFFECTS) on UNAVAILABLE, then fails UNAVAILABLE, writing nothing', async () => {
    const users = await scriptedUserService();
    users.script(getUser, { thenFault: { code: GrpcStatus.UNAVAILABLE } });
    const service = await orderService(users.address);
    const token = await issuer.sign({ subject: crypto.randomUUID() });

    await expectGrpcError(
      service.orders.createOrder(orderRequest(), asCaller(token, { deadline: Date.now() + 30_000 })),
      GrpcStatus.UNAVAILABLE,
    );

    expect(users.attempts(getUser).length).toBeGreaterThan(1);
    expect(await ordersOf(service, token)).toEqual([]);
  });

  it('takes the order once the user service answers again', async () => {
    const users = await scriptedUserService();
    const userId = crypto.randomUUID();
    users.script(getUser, {
      faults: [{ code: GrpcStatus.UNAVAILABLE }],
      response: { user: { id: userId, status: UserStatus.USER_STATUS_ACTIVE } },
    });
    const service = await orderService(users.address);
    const token = await issuer.sign({ subject: userId });

    const { order } = await service.orders.createOrder(orderRequest(), asCaller(token));

    expect(order?.userId).toBe(userId);
    expect(users.attempts(getUser).map((attempt) => attempt.metadata.get('authorization')[0])).toEqual([
      'Bearer service-token',
      'Bearer service-token',
    ]);
  });
});

describe('CreateOrder against a slow user service', () => {
  it('ends DEADLINE_EXCEEDED, propagating the deadline, and the user service sees the cancel', async () => {
    const users = await scriptedUserService();
    users.script(getUser, { delayMs: 5_000, hang: true });
    // Its own timeout for GetUser is longer than the caller's budget, so only propagation
    // can give the user service a shorter one.
    const service = await orderService(users.address, { USER_SERVICE_TIMEOUT: '30s' });
    const token = await issuer.sign({ subject: crypto.randomUUID() });

    // Long enough for the order service to reach GetUser on a busy machine; the user service
    // hangs, so the call can only end by its deadline.
    const budgetMs = 2_000;
    await expectGrpcError(
      service.orders.createOrder(orderRequest(), asCaller(token, { deadline: Date.now() + budgetMs })),
      GrpcStatus.DEADLINE_EXCEEDED,
    );

    // A propagated deadline is relative (grpc-timeout): the user service is promised a budget no
    // larger than what the order service had left, itself no larger than the test's. Measured on
    // the user service's clock from when its handler ran, transit and a busy machine only make
    // it smaller; without propagation it would be 30 s.
    const [attempt] = users.attempts(getUser);
    expect(attempt?.deadline).toBeDefined();
    const budgetSeenMs = (attempt?.deadline ?? Infinity) - (attempt?.receivedAt ?? 0);
    expect(budgetSeenMs).toBeLessThanOrEqual(budgetMs);
    await attempt?.whenCancelled;
    expect(attempt?.cancelled).toBe(true);
    expect(await ordersOf(service, token)).toEqual([]);
  });
});
