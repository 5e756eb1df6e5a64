import { MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import {
  loadFileDescriptorSetFromBuffer,
  loadSync,
  type MethodDefinition,
  type PackageDefinition,
  type ServiceDefinition,
} from '@grpc/proto-loader';
import {
  GetOrderResponse,
  OrderServiceService,
  platformFileDescriptors,
  protoFiles,
  protoLoaderOptions,
  serviceNames,
  statusDetailTypeNames,
  type GetOrderRequest,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { descriptorSet, ReflectionClient } from '../../testing/reflection-client.js';
import { addReflection } from './add-reflection.js';
import type { ReflectionOptions } from './reflection-options.js';

const order: GetOrderResponse = GetOrderResponse.create({
  order: {
    id: 'o-1',
    userId: 'u-1',
    requestId: 'r-1',
    items: [{ sku: 'sku-1', quantity: 2, unitPriceMinor: '150' }],
    currencyCode: 'EUR',
    totalMinor: '300',
    status: 'ORDER_STATUS_PENDING',
    version: '1',
    createTime: { seconds: '1700000000', nanos: 0 },
    updateTime: null,
    cancelReason: '',
  } as GetOrderResponse['order'],
});

let server: RunningGrpcServer | undefined;
const reflectionClients: ReflectionClient[] = [];
const clients: grpc.Client[] = [];

afterEach(async () => {
  for (const client of [...reflectionClients.splice(0), ...clients.splice(0)]) client.close();
  await server?.stop();
  server = undefined;
});

async function serveWithReflection(
  source: Parameters<typeof addReflection>[1] = protoFiles.orderService,
  options?: ReflectionOptions,
): Promise<ReflectionClient> {
  server = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          // The order only when asked for its id, so a test sees the request's fields arrive.
          getOrder: (
            call: grpc.ServerUnaryCall<GetOrderRequest, GetOrderResponse>,
            callback: grpc.sendUnaryData<GetOrderResponse>,
          ) => callback(null, call.request.orderId === order.order?.id ? order : GetOrderResponse.create()),
        } as unknown as grpc.UntypedServiceImplementation,
      },
    ],
  });
  addReflection(server.server, source, options);
  const client = new ReflectionClient(server.address);
  reflectionClients.push(client);
  return client;
}

describe('listing services', () => {
  it('names the served service and grpc.health.v1.Health, over v1', async () => {
    const reflection = await serveWithReflection();
    await expect(reflection.listServices('v1')).resolves.toEqual([
      'grpc.health.v1.Health',
      serviceNames.order,
    ]);
  });

  it('answers the same over v1alpha', async () => {
    const reflection = await serveWithReflection();
    await expect(reflection.listServices('v1alpha')).resolves.toEqual([
      'grpc.health.v1.Health',
      serviceNames.order,
    ]);
  });

  it('leaves health out when includeHealth is false', async () => {
    const reflection = await serveWithReflection(protoFiles.orderService, { includeHealth: false });
    await expect(reflection.listServices()).resolves.toEqual([serviceNames.order]);
  });

  it('hides services outside the services option', async () => {
    const reflection = await serveWithReflection([protoFiles.orderService, protoFiles.userService], {
      services: [serviceNames.order],
    });
    await expect(reflection.listServices()).resolves.toEqual(['grpc.health.v1.Health', serviceNames.order]);
  });

  it('refuses a service the platform descriptors do not declare', async () => {
    await expect(
      serveWithReflection(protoFiles.orderService, { services: ['platform.nothing.v1.NopeService'] }),
    ).rejects.toThrow('Service platform.nothing.v1.NopeService is not in the descriptors of @platform/proto');
  });

  it('describes a package definition loaded elsewhere (as NestJS passes it)', async () => {
    const definition: PackageDefinition = loadSync(protoFiles.userService, protoLoaderOptions);
    const reflection = await serveWithReflection(definition, { includeHealth: false });
    await expect(reflection.listServices()).resolves.toEqual([serviceNames.user]);
  });
});

describe('error detail types', () => {
  it.each(['v1', 'v1alpha'] as const)(
    'resolve over %s as grpcurl resolves them, for a service whose contract imports none of them',
    async (version) => {
      const reflection = await serveWithReflection(protoFiles.userService);
      expect(await reflection.unresolved(version, statusDetailTypeNames)).toEqual([]);
      expect(statusDetailTypeNames).toEqual(
        expect.arrayContaining([
          'google.rpc.ErrorInfo',
          'google.rpc.BadRequest',
          'google.rpc.ResourceInfo',
          'google.rpc.PreconditionFailure',
          'google.rpc.RetryInfo',
          'google.rpc.QuotaFailure',
        ]),
      );
    },
  );
});

describe('file containing symbol', () => {
  it('returns descriptors from which a client calls OrderService without the .proto files, by the .proto field names', async () => {
    const reflection = await serveWithReflection();
    const [response] = await reflection.reflect('v1', [{ fileContainingSymbol: serviceNames.order }]);
    expect(response?.messageResponse).toBe('fileDescriptorResponse');

    const files = response?.fileDescriptorResponse?.fileDescriptorProto ?? [];
    const rebuilt = loadFileDescriptorSetFromBuffer(descriptorSet(files), protoLoaderOptions);
    const orderService = rebuilt[serviceNames.order] as ServiceDefinition;
    expect(Object.keys(orderService)).toEqual(
      expect.arrayContaining(['GetOrder', 'WatchOrder', 'ImportOrders', 'TrackOrders']),
    );

    const getOrder = orderService['GetOrder'] as MethodDefinition<object, object>;
    const client = new grpc.Client(reflection.address, grpc.credentials.createInsecure());
    clients.push(client);
    const answer = await new Promise<object | undefined>((resolve, reject) =>
      client.makeUnaryRequest(
        getOrder.path,
        getOrder.requestSerialize,
        getOrder.responseDeserialize,
        { order_id: 'o-1' },
        (error, value) => (error ? reject(error) : resolve(value)),
      ),
    );
    // Fields carry their .proto names, as in the descriptors buf wrote (proto-loader's keepCase
    // does not apply to descriptor sets).
    expect(answer).toMatchObject({
      order: {
        id: 'o-1',
        user_id: 'u-1',
        total_minor: '300',
        status: 'ORDER_STATUS_PENDING',
        create_time: { seconds: '1700000000', nanos: 0 },
      },
    });
  });

  it('serves the files, imports included, byte for byte as buf wrote them', async () => {
    const reflection = await serveWithReflection();
    const [response] = await reflection.reflect('v1', [{ fileContainingSymbol: serviceNames.order }]);
    const served = response?.fileDescriptorResponse?.fileDescriptorProto ?? [];
    const written = platformFileDescriptors().map((file) => Buffer.from(file));
    expect(served.length).toBeGreaterThan(1);
    for (const file of served) expect(written).toContainEqual(file);
  });

  it('answers NOT_FOUND in the stream for an unknown symbol', async () => {
    const reflection = await serveWithReflection();
    const [response] = await reflection.reflect('v1', [{ fileContainingSymbol: 'platform.nothing.v1.Nope' }]);
    expect(response?.errorResponse).toEqual({
      errorCode: grpc.status.NOT_FOUND,
      errorMessage: 'Symbol not found: platform.nothing.v1.Nope',
    });
  });
});

describe.each(['v1', 'v1alpha'] as const)(
  'descriptors over %s, loaded as strictly as grpcurl loads them',
  (version) => {
    it('types AuthenticateResponse.expire_time as google.protobuf.Timestamp, under its .proto name', async () => {
      const reflection = await serveWithReflection([protoFiles.orderService, protoFiles.userService]);
      const registry = await reflection.strictRegistry(version, 'platform.user.v1.AuthenticateResponse');
      const expireTime = registry
        .getMessage('platform.user.v1.AuthenticateResponse')
        ?.fields.find((field) => field.name === 'expire_time');
      expect(expireTime).toMatchObject({ jsonName: 'expireTime', fieldKind: 'message' });
      expect(expireTime?.message?.typeName).toBe('google.protobuf.Timestamp');
    });

    it('describes HealthListResponse.statuses as a map', async () => {
      const reflection = await serveWithReflection();
      const registry = await reflection.strictRegistry(version, 'grpc.health.v1.HealthListResponse');
      const statuses = registry.getMessage('grpc.health.v1.HealthListResponse')?.field['statuses'];
      expect(statuses?.fieldKind).toBe('map');
      expect(statuses?.message?.typeName).toBe('grpc.health.v1.HealthCheckResponse');
    });

    it('keeps the idempotency_level of OrderService.GetOrder (NO_SIDE_EFFECTS)', async () => {
      const reflection = await serveWithReflection(loadSync(protoFiles.orderService, protoLoaderOptions));
      const registry = await reflection.strictRegistry(version, serviceNames.order);
      const getOrder = registry
        .getService(serviceNames.order)
        ?.methods.find((method) => method.name === 'GetOrder');
      expect(getOrder?.idempotency).toBe(MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS);
    });
  },
);
