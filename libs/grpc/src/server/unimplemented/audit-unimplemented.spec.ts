import * as grpc from '@grpc/grpc-js';
import { GetOrderResponse, OrderServiceService } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { createRequire } from 'node:module';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditUnimplemented } from './audit-unimplemented.js';
import type { UnimplementedProbe } from './unimplemented-options.js';

const orders = 'platform.order.v1.OrderService';
const token = 'Bearer eyJhbGciOiJFUzI1NiJ9.secret-payload.signature';

let server: RunningGrpcServer | undefined;
let client: grpc.Client | undefined;
let registry: Registry;
let logged: { fields: object; message: string }[];
let probes: UnimplementedProbe[];

beforeEach(() => {
  registry = new Registry();
  logged = [];
  probes = [];
});

afterEach(async () => {
  client?.close();
  await server?.stop();
  server = client = undefined;
});

const auditOptions = () => ({
  registry,
  logger: { warn: (fields: object, message: string) => logged.push({ fields, message }) },
  onProbe: (probe: UnimplementedProbe) => probes.push(probe),
});

/** A server serving OrderService.GetOrder only (the other methods are registered, unimplemented). */
async function serve(): Promise<grpc.Server> {
  server = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) =>
            callback(null, GetOrderResponse.create({ order: null })),
        } as unknown as grpc.UntypedServiceImplementation,
      },
    ],
  });
  client = new grpc.Client(server.address, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': 'scanner/1.0',
  });
  return server.server;
}

const identity = (value: Buffer) => value;

function callUnary(path: string): Promise<grpc.ServiceError | undefined> {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', token);
  return new Promise((resolve) =>
    connected().makeUnaryRequest(path, identity, identity, Buffer.alloc(0), metadata, (error) =>
      resolve(error ?? undefined),
    ),
  );
}

function connected(): grpc.Client {
  if (!client) throw new Error('serve() first');
  return client;
}

async function counted(): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('grpc_server_unimplemented_total')?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map((value) => [
      `${value.labels['grpc_service']}/${value.labels['grpc_method']}`,
      value.value,
    ]),
  );
}

describe('the grpc-js internals the audit hooks', () => {
  it('are those of the installed @grpc/grpc-js 1.14, on the Server prototype', () => {
    const { version } = createRequire(import.meta.url)('@grpc/grpc-js/package.json') as { version: string };
    expect(version).toMatch(/^1\.14\./);
    const prototype = grpc.Server.prototype as unknown as Record<string, unknown>;
    expect(typeof prototype['_retrieveHandler']).toBe('function');
    expect(typeof prototype['_verifyContentType']).toBe('function');
    expect(new grpc.Server()).toHaveProperty('handlers', expect.any(Map));
  });

  it('are required: a server without them is refused with a clear error', () => {
    expect(() => auditUnimplemented({} as grpc.Server, { registry })).toThrow(
      /lacks the internals it hooks .*check the installed version/,
    );
  });
});

describe('a call to an unknown service', () => {
  it('is still answered UNIMPLEMENTED, counted as unknown/unknown and logged without credentials', async () => {
    auditUnimplemented(await serve(), auditOptions());

    const error = await callUnary('/evil.Scanner/Probe');

    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
    await expect(counted()).resolves.toEqual({ 'unknown/unknown': 1 });
    expect(probes).toEqual([
      {
        path: '/evil.Scanner/Probe',
        service: 'unknown',
        method: 'unknown',
        peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        userAgent: expect.stringContaining('scanner/1.0'),
      },
    ]);
    expect(logged).toEqual([{ fields: probes[0], message: 'Call to an unimplemented method' }]);
    expect(JSON.stringify(logged)).not.toContain('secret-payload');
  });
});

describe('a call to an unknown method of a served service', () => {
  it('is counted under the service and method name', async () => {
    auditUnimplemented(await serve(), auditOptions());

    const error = await callUnary(`/${orders}/DeleteEverything`);

    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
    await expect(counted()).resolves.toEqual({ [`${orders}/DeleteEverything`]: 1 });
  });

  it('keeps at most maxMethodLabelsPerService method names; the rest count as unknown', async () => {
    auditUnimplemented(await serve(), { ...auditOptions(), maxMethodLabelsPerService: 2 });

    for (const method of ['First', 'Second', 'Third', 'Fourth', 'First']) {
      await callUnary(`/${orders}/${method}`);
    }

    await expect(counted()).resolves.toEqual({
      [`${orders}/First`]: 2,
      [`${orders}/Second`]: 1,
      [`${orders}/unknown`]: 2,
    });
  });

  it('with a name that is no proto identifier counts as unknown', async () => {
    auditUnimplemented(await serve(), auditOptions());
    await callUnary(`/${orders}/drop-table;--`);
    await expect(counted()).resolves.toEqual({ [`${orders}/unknown`]: 1 });
  });
});

describe('streaming calls to an unknown method', () => {
  it('are audited like unary ones', async () => {
    auditUnimplemented(await serve(), auditOptions());
    const stream = connected().makeBidiStreamRequest('/evil.Scanner/Stream', identity, identity);
    const error = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
    await expect(counted()).resolves.toEqual({ 'unknown/unknown': 1 });
  });
});

describe('calls the server routes', () => {
  it('are not audited: a served method, and a registered method without implementation', async () => {
    auditUnimplemented(await serve(), auditOptions());

    await expect(callUnary(`/${orders}/GetOrder`)).resolves.toBeUndefined();
    const unimplemented = await callUnary(`/${orders}/CancelOrder`);

    expect(unimplemented?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(probes).toEqual([]);
    await expect(counted()).resolves.toEqual({});
  });
});

describe('auditing before bindAsync', () => {
  it('sees the calls as well', async () => {
    const grpcServer = new grpc.Server();
    const stop = auditUnimplemented(grpcServer, auditOptions());
    const port = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      await callUnary('/evil.Scanner/Probe');
      await expect(counted()).resolves.toEqual({ 'unknown/unknown': 1 });
    } finally {
      stop();
      grpcServer.forceShutdown();
    }
  });
});

describe('stopping the audit', () => {
  it('restores grpc-js behaviour: still UNIMPLEMENTED, no longer counted', async () => {
    const grpcServer = await serve();
    const stop = auditUnimplemented(grpcServer, auditOptions());
    await callUnary('/evil.Scanner/Probe');
    stop();

    const error = await callUnary('/evil.Scanner/Probe');

    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
    await expect(counted()).resolves.toEqual({ 'unknown/unknown': 1 });
    expect(Object.hasOwn(grpcServer, '_retrieveHandler')).toBe(false);
  });

  it('allows auditing again, while auditing twice at once is refused', async () => {
    const grpcServer = await serve();
    const stop = auditUnimplemented(grpcServer, auditOptions());
    expect(() => auditUnimplemented(grpcServer, auditOptions())).toThrow(/audited already/);
    stop();
    expect(() => auditUnimplemented(grpcServer, auditOptions())()).not.toThrow();
  });
});

describe('two servers in one registry', () => {
  it('share one counter', async () => {
    const first = new grpc.Server();
    const second = new grpc.Server();
    auditUnimplemented(first, { registry })();
    expect(() => auditUnimplemented(second, { registry })()).not.toThrow();
    expect(registry.getMetricsAsArray()).toHaveLength(1);
  });
});
