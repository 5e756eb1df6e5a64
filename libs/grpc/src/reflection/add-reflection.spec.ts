import * as grpc from '@grpc/grpc-js';
import {
  loadFileDescriptorSetFromBuffer,
  loadSync,
  type MethodDefinition,
  type PackageDefinition,
  type ServiceDefinition,
} from '@grpc/proto-loader';
import {
  OrderServiceService,
  protoFiles,
  protoLoaderOptions,
  serviceNames,
  type GetOrderResponse,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addReflection } from './add-reflection.js';
import type { ReflectionOptions } from './reflection-options.js';

// The client side uses the reflection service's own .proto, as grpcurl does.
const reflectionProtoRoot = join(
  dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')),
  'build',
  'proto',
);
const reflectionProtos = loadSync(
  ['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'],
  {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [reflectionProtoRoot],
  },
);

interface ReflectionResponse {
  messageResponse: 'listServicesResponse' | 'fileDescriptorResponse' | 'errorResponse' | string;
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

const order: GetOrderResponse = {
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
};

let server: RunningGrpcServer | undefined;
const clients: grpc.Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.stop();
  server = undefined;
});

async function serveWithReflection(
  source: Parameters<typeof addReflection>[1] = protoFiles.orderService,
  options?: ReflectionOptions,
): Promise<string> {
  server = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => callback(null, order),
        } as unknown as grpc.UntypedServiceImplementation,
      },
    ],
  });
  addReflection(server.server, source, options);
  return server.address;
}

/** Sends reflection requests on one ServerReflectionInfo stream and collects the answers. */
function reflect(
  address: string,
  version: 'v1' | 'v1alpha',
  requests: object[],
): Promise<ReflectionResponse[]> {
  const service = reflectionProtos[`grpc.reflection.${version}.ServerReflection`] as ServiceDefinition;
  const method = service['ServerReflectionInfo'] as MethodDefinition<object, ReflectionResponse>;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  clients.push(client);
  const call = client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize);
  const responses: ReflectionResponse[] = [];
  return new Promise((resolve, reject) => {
    call.on('data', (response: ReflectionResponse) => responses.push(response));
    call.on('error', reject);
    call.on('end', () => resolve(responses));
    for (const request of requests) call.write(request);
    call.end();
  });
}

async function listServices(address: string, version: 'v1' | 'v1alpha' = 'v1'): Promise<string[]> {
  const [response] = await reflect(address, version, [{ listServices: '*' }]);
  return (response?.listServicesResponse?.service ?? []).map((service) => service.name).sort();
}

/** A FileDescriptorSet made of the descriptors reflection returned, as grpcurl builds one. */
function descriptorSet(files: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    const length: number[] = [];
    for (let remaining = file.length; ; remaining >>>= 7) {
      if (remaining < 0x80) {
        length.push(remaining);
        break;
      }
      length.push((remaining & 0x7f) | 0x80);
    }
    parts.push(Buffer.from([0x0a, ...length]), file);
  }
  return Buffer.concat(parts);
}

describe('listing services', () => {
  it('names the served service and grpc.health.v1.Health, over v1', async () => {
    const address = await serveWithReflection();
    await expect(listServices(address, 'v1')).resolves.toEqual(['grpc.health.v1.Health', serviceNames.order]);
  });

  it('answers the same over v1alpha', async () => {
    const address = await serveWithReflection();
    await expect(listServices(address, 'v1alpha')).resolves.toEqual([
      'grpc.health.v1.Health',
      serviceNames.order,
    ]);
  });

  it('leaves health out when includeHealth is false', async () => {
    const address = await serveWithReflection(protoFiles.orderService, { includeHealth: false });
    await expect(listServices(address)).resolves.toEqual([serviceNames.order]);
  });

  it('hides services outside the services option', async () => {
    const address = await serveWithReflection([protoFiles.orderService, protoFiles.userService], {
      services: [serviceNames.order],
    });
    await expect(listServices(address)).resolves.toEqual(['grpc.health.v1.Health', serviceNames.order]);
  });

  it('describes a package definition loaded elsewhere (as NestJS passes it)', async () => {
    const definition: PackageDefinition = loadSync(protoFiles.userService, protoLoaderOptions);
    const address = await serveWithReflection(definition, { includeHealth: false });
    await expect(listServices(address)).resolves.toEqual([serviceNames.user]);
  });
});

describe('file containing symbol', () => {
  it('returns descriptors from which a client calls OrderService without the .proto files', async () => {
    const address = await serveWithReflection();
    const [response] = await reflect(address, 'v1', [{ fileContainingSymbol: serviceNames.order }]);
    expect(response?.messageResponse).toBe('fileDescriptorResponse');

    const files = response?.fileDescriptorResponse?.fileDescriptorProto ?? [];
    const rebuilt = loadFileDescriptorSetFromBuffer(descriptorSet(files), protoLoaderOptions);
    const orderService = rebuilt[serviceNames.order] as ServiceDefinition;
    expect(Object.keys(orderService)).toEqual(
      expect.arrayContaining(['GetOrder', 'WatchOrder', 'ImportOrders', 'TrackOrders']),
    );

    const getOrder = orderService['GetOrder'] as MethodDefinition<object, GetOrderResponse>;
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    clients.push(client);
    const answer = await new Promise<GetOrderResponse | undefined>((resolve, reject) =>
      client.makeUnaryRequest(
        getOrder.path,
        getOrder.requestSerialize,
        getOrder.responseDeserialize,
        { orderId: 'o-1' },
        (error, value) => (error ? reject(error) : resolve(value)),
      ),
    );
    expect(answer).toEqual(order);
  });

  it('answers NOT_FOUND in the stream for an unknown symbol', async () => {
    const address = await serveWithReflection();
    const [response] = await reflect(address, 'v1', [{ fileContainingSymbol: 'platform.nothing.v1.Nope' }]);
    expect(response?.errorResponse).toEqual({
      errorCode: grpc.status.NOT_FOUND,
      errorMessage: 'Symbol not found: platform.nothing.v1.Nope',
    });
  });
});
