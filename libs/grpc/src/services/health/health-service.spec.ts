import * as grpc from '@grpc/grpc-js';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { service as healthDefinition } from 'grpc-health-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthChange } from './health-options.js';
import { HealthService } from './health-service.js';

const orders = 'platform.order.v1.OrderService';
const users = 'platform.user.v1.UserService';

interface HealthResponse {
  status: string;
}

let server: RunningGrpcServer | undefined;
let client: grpc.Client | undefined;
let served: HealthService | undefined;
const streams: grpc.ClientReadableStream<HealthResponse>[] = [];

afterEach(async () => {
  for (const stream of streams.splice(0)) stream.cancel();
  served?.stop();
  client?.close();
  await server?.stop();
  server = client = served = undefined;
});

async function serve(health: HealthService): Promise<HealthService> {
  served = health;
  server = await startGrpcServer({ services: [] });
  health.addToServer(server.server);
  client = new grpc.Client(server.address, grpc.credentials.createInsecure());
  return health;
}

function connected(): grpc.Client {
  if (!client) throw new Error('serve() first');
  return client;
}

function healthMethod(name: 'Check' | 'Watch') {
  const method = healthDefinition[name];
  if (!method) throw new Error(`grpc-health-check lacks ${name}`);
  return method;
}

function check(service: string): Promise<HealthResponse> {
  const method = healthMethod('Check');
  return new Promise((resolve, reject) =>
    connected().makeUnaryRequest<{ service: string }, HealthResponse>(
      method.path,
      method.requestSerialize,
      method.responseDeserialize as (bytes: Buffer) => HealthResponse,
      { service },
      (error, response) => (response ? resolve(response) : reject(error ?? new Error('no response'))),
    ),
  );
}

/** Opens a Watch; `received(count)` resolves once that many statuses have arrived. */
function watch(service: string) {
  const method = healthMethod('Watch');
  const stream = connected().makeServerStreamRequest<{ service: string }, HealthResponse>(
    method.path,
    method.requestSerialize,
    method.responseDeserialize as (bytes: Buffer) => HealthResponse,
    { service },
  );
  streams.push(stream);
  const statuses: string[] = [];
  const waiters: { count: number; resolve: (statuses: string[]) => void }[] = [];
  stream.on('data', (response: HealthResponse) => {
    statuses.push(response.status);
    for (const waiter of waiters.filter((candidate) => candidate.count === statuses.length)) {
      waiter.resolve([...statuses]);
    }
  });
  stream.on('error', () => undefined);
  return {
    received: (count: number) =>
      statuses.length >= count
        ? Promise.resolve(statuses.slice(0, count))
        : new Promise<string[]>((resolve) => waiters.push({ count, resolve })),
  };
}

/** A dependency whose health the test flips. */
function dependency(initiallyUp = true) {
  const state = { up: initiallyUp, runs: 0 };
  const checkFn = () => {
    state.runs += 1;
    return state.up;
  };
  return { state, check: checkFn };
}

describe('a service whose checks pass', () => {
  it('answers SERVING for the service and overall', async () => {
    const database = dependency();
    const health = await serve(new HealthService().addCheck(orders, database.check, 'database'));
    await health.refresh();

    await expect(check(orders)).resolves.toEqual({ status: 'SERVING' });
    await expect(check('')).resolves.toEqual({ status: 'SERVING' });
  });

  it('answers SERVING for a registered service without checks of its own', async () => {
    await serve(new HealthService({ services: [users] }));
    await expect(check(users)).resolves.toEqual({ status: 'SERVING' });
  });
});

describe('a check that has not run yet', () => {
  it('keeps its service NOT_SERVING until the first evaluation', async () => {
    const health = await serve(new HealthService().addCheck(orders, () => true, 'database'));

    await expect(check(orders)).resolves.toEqual({ status: 'NOT_SERVING' });
    expect(health.failures(orders)).toEqual([
      { service: orders, check: 'database', detail: 'not checked yet' },
    ]);
    await health.refresh();
    await expect(check(orders)).resolves.toEqual({ status: 'SERVING' });
  });
});

describe('a failing check', () => {
  it('makes its service and the overall status NOT_SERVING, and leaves other services SERVING', async () => {
    const changes: HealthChange[] = [];
    const health = await serve(
      new HealthService({ services: [users], onChange: (change) => changes.push(change) }).addCheck(
        orders,
        () => ({ ok: false, detail: 'connection refused' }),
        'database',
      ),
    );
    await health.refresh();

    await expect(check(orders)).resolves.toEqual({ status: 'NOT_SERVING' });
    await expect(check('')).resolves.toEqual({ status: 'NOT_SERVING' });
    await expect(check(users)).resolves.toEqual({ status: 'SERVING' });
    expect(health.failures(orders)).toEqual([
      { service: orders, check: 'database', detail: 'connection refused' },
    ]);
    expect(changes).toContainEqual({
      service: users,
      status: 'SERVING',
      failures: [],
      shuttingDown: false,
    });
  });

  it('of the whole server (service "") makes every service NOT_SERVING', async () => {
    const broker = dependency(false);
    const health = await serve(
      new HealthService({ services: [users] })
        .addCheck('', broker.check, 'broker')
        .addCheck(orders, () => true, 'database'),
    );
    await health.refresh();

    await expect(check(orders)).resolves.toEqual({ status: 'NOT_SERVING' });
    await expect(check(users)).resolves.toEqual({ status: 'NOT_SERVING' });
    broker.state.up = true;
    await health.refresh();
    await expect(check(users)).resolves.toEqual({ status: 'SERVING' });
  });

  it('that throws is NOT_SERVING with the error message as detail', async () => {
    const health = await serve(
      new HealthService().addCheck(
        orders,
        async () => {
          throw new Error('ECONNREFUSED 127.0.0.1:5432');
        },
        'database',
      ),
    );
    await health.refresh();

    await expect(check(orders)).resolves.toEqual({ status: 'NOT_SERVING' });
    expect(health.failures(orders)[0]?.detail).toBe('ECONNREFUSED 127.0.0.1:5432');
  });

  it('that never settles is NOT_SERVING after checkTimeoutMs, and its signal aborts', async () => {
    let signal: AbortSignal | undefined;
    const health = await serve(
      new HealthService({ checkTimeoutMs: 30 }).addCheck(
        orders,
        (abortSignal) => {
          signal = abortSignal;
          return new Promise<boolean>(() => undefined);
        },
        'database',
      ),
    );
    await health.refresh();

    await expect(check(orders)).resolves.toEqual({ status: 'NOT_SERVING' });
    expect(health.failures(orders)[0]?.detail).toBe('no answer within 30 ms');
    expect(signal?.aborted).toBe(true);
  });
});

describe('an unknown service', () => {
  it('answers Check with NOT_FOUND', async () => {
    await serve(new HealthService({ services: [orders] }));
    await expect(check('no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('answers Watch with SERVICE_UNKNOWN', async () => {
    await serve(new HealthService({ services: [orders] }));
    await expect(watch('no.such.Service').received(1)).resolves.toEqual(['SERVICE_UNKNOWN']);
  });
});

describe('Watch', () => {
  it('streams each change of status once, never a repeated status', async () => {
    const database = dependency();
    const health = await serve(new HealthService().addCheck(orders, database.check, 'database'));
    await health.refresh();
    const watcher = watch(orders);
    await watcher.received(1);

    await health.refresh();
    await health.refresh();
    database.state.up = false;
    await health.refresh();
    await watcher.received(2);
    database.state.up = true;
    await health.refresh();

    // A repeated status would have arrived before the change that follows it.
    await expect(watcher.received(3)).resolves.toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
  });
});

describe('polling', () => {
  it('runs the checks every intervalMs once started', async () => {
    let reachedThirdRun: () => void = () => undefined;
    const thirdRun = new Promise<void>((resolve) => (reachedThirdRun = resolve));
    let runs = 0;
    const health = await serve(
      new HealthService({ intervalMs: 10 }).addCheck(
        orders,
        () => {
          runs += 1;
          if (runs === 3) reachedThirdRun();
          return true;
        },
        'database',
      ),
    );
    await health.start();
    await expect(check(orders)).resolves.toEqual({ status: 'SERVING' });
    await thirdRun;
    expect(runs).toBeGreaterThanOrEqual(3);
  });

  it('never runs the same check twice at once', async () => {
    let running = 0;
    let overlapping = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const health = await serve(
      new HealthService().addCheck(
        orders,
        async () => {
          running += 1;
          overlapping ||= running > 1;
          await gate;
          running -= 1;
          return true;
        },
        'database',
      ),
    );
    const first = health.refresh();
    const second = health.refresh();
    release();
    await Promise.all([first, second]);
    expect(overlapping).toBe(false);
    expect(second).toBe(first);
  });
});

describe('setNotServing', () => {
  it('reports every service NOT_SERVING, to Check and Watch, whatever the checks say', async () => {
    const changes: HealthChange[] = [];
    const health = await serve(
      new HealthService({ services: [users], onChange: (change) => changes.push(change) }).addCheck(
        orders,
        () => true,
        'database',
      ),
    );
    await health.refresh();
    const watcher = watch(orders);
    await watcher.received(1);

    health.setNotServing();
    await health.refresh();

    await expect(watcher.received(2)).resolves.toEqual(['SERVING', 'NOT_SERVING']);
    for (const service of ['', orders, users]) {
      await expect(check(service)).resolves.toEqual({ status: 'NOT_SERVING' });
    }
    expect(
      changes
        .filter((change) => change.shuttingDown)
        .map((change) => change.service)
        .sort(),
    ).toEqual(['', orders, users].sort());
  });
});
