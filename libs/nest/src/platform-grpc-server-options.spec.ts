import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import { loadSync, type MethodDefinition, type ServiceDefinition } from '@grpc/proto-loader';
import {
  GetOrderResponse,
  OrderServiceClient,
  OrderServiceService,
  protoLoaderOptions,
  serviceNames,
  statusFromMetadata,
  WatchOrderRequest,
  WatchOrderResponse,
} from '@platform/proto';
import { service as healthDefinition } from 'grpc-health-check';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Registry } from 'prom-client';
import { Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  auditUnimplemented,
  contextInterceptor,
  createServerChain,
  errorInterceptor,
  gracefulShutdown,
  HealthService,
  InFlightCalls,
  isUtf8Checked,
  shutdownInterceptor,
} from '@platform/grpc';
import { callWithRawHeaders } from '@platform/grpc/testing';
import { startNestGrpcApp, type NestGrpcApp } from './__fixtures__/nest-grpc-app.js';
import { GrpcService } from './grpc-service.decorator.js';
import { platformGrpcServerOptions } from './platform-grpc-server-options.js';

@GrpcService(OrderServiceService)
class OrderController {
  getOrder(): GetOrderResponse {
    return GetOrderResponse.create({ order: null });
  }

  /** One message, then a stream that never ends on its own (like WatchOrder on a quiet order). */
  watchOrder(): Observable<WatchOrderResponse> {
    return new Observable((subscriber) => subscriber.next(WatchOrderResponse.create({ order: null })));
  }
}

const reflectionProtoRoot = join(
  dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')),
  'build',
  'proto',
);

let nest: NestGrpcApp | undefined;
const clients: grpc.Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await nest?.close();
  nest = undefined;
});

function genericClient(address: string): grpc.Client {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  clients.push(client);
  return client;
}

function healthCheck(address: string, service: string): Promise<{ status: string }> {
  const method = healthDefinition['Check'];
  if (!method) throw new Error('grpc-health-check lacks Check');
  return new Promise((resolve, reject) =>
    genericClient(address).makeUnaryRequest<{ service: string }, { status: string }>(
      method.path,
      method.requestSerialize,
      method.responseDeserialize as (bytes: Buffer) => { status: string },
      { service },
      (error, response) => (response ? resolve(response) : reject(error ?? new Error('no response'))),
    ),
  );
}

interface ListServicesAnswer {
  listServicesResponse?: { service: { name: string }[] };
}

function listServices(address: string): Promise<string[]> {
  const definition = loadSync('grpc/reflection/v1/reflection.proto', {
    ...protoLoaderOptions,
    includeDirs: [reflectionProtoRoot],
  });
  const service = definition['grpc.reflection.v1.ServerReflection'] as ServiceDefinition;
  const method = service['ServerReflectionInfo'] as MethodDefinition<object, ListServicesAnswer>;
  const call = genericClient(address).makeBidiStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
  );
  return new Promise((resolve, reject) => {
    call.on('data', (response: ListServicesAnswer) =>
      resolve((response.listServicesResponse?.service ?? []).map((entry) => entry.name).sort()),
    );
    call.on('error', reject);
    call.write({ listServices: '*' });
    call.end();
  });
}

describe('a Nest server built with platformGrpcServerOptions', () => {
  it('serves health and reflection next to its services, and hands out the grpc-js server', async () => {
    const health = new HealthService({ services: [serviceNames.order] });
    let server: grpc.Server | undefined;
    nest = await startNestGrpcApp({
      controllers: [OrderController],
      interceptors: [contextInterceptor],
      server: { health, onServer: (grpcServer) => (server = grpcServer) },
    });

    await expect(healthCheck(nest.address, serviceNames.order)).resolves.toEqual({ status: 'SERVING' });
    await expect(listServices(nest.address)).resolves.toEqual(['grpc.health.v1.Health', serviceNames.order]);
    expect(server).toBeInstanceOf(grpc.Server);
  });

  it('serves no reflection when reflection is false', async () => {
    nest = await startNestGrpcApp({
      controllers: [OrderController],
      interceptors: [contextInterceptor],
      server: { reflection: false },
    });
    await expect(listServices(nest.address)).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
  });

  it('lets the audit and a graceful shutdown work on the server Nest bound', async () => {
    const inFlight = new InFlightCalls();
    const registry = new Registry();
    let server!: grpc.Server;
    nest = await startNestGrpcApp({
      controllers: [OrderController],
      interceptors: [
        contextInterceptor,
        errorInterceptor({ domain: 'test.platform' }),
        shutdownInterceptor(inFlight),
      ],
      server: {
        onServer: (grpcServer) => {
          server = grpcServer;
          auditUnimplemented(grpcServer, { registry });
        },
      },
    });
    const client = new OrderServiceClient(nest.address, grpc.credentials.createInsecure());
    clients.push(client);

    const { address } = nest;
    const unknown = await new Promise<grpc.ServiceError | null>((resolve) =>
      genericClient(address).makeUnaryRequest(
        '/evil.Scanner/Probe',
        (value: Buffer) => value,
        (value: Buffer) => value,
        Buffer.alloc(0),
        (error) => resolve(error),
      ),
    );
    expect(unknown?.code).toBe(grpc.status.UNIMPLEMENTED);
    const counted = await registry.getSingleMetric('grpc_server_unimplemented_total')?.get();
    expect(counted?.values).toEqual([
      expect.objectContaining({ labels: { grpc_service: 'unknown', grpc_method: 'unknown' }, value: 1 }),
    ]);

    const stream = client.watchOrder(WatchOrderRequest.create({ orderId: 'o-1' }));
    const streamError = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    await new Promise((resolve) => stream.once('data', resolve));

    await expect(gracefulShutdown(server, { inFlight, drainTimeoutMs: 5000 })).resolves.toMatchObject({
      forced: false,
      streamsEnded: 1,
    });
    const error = await streamError;
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(statusFromMetadata(error.metadata)?.details.errorInfo?.reason).toBe('SHUTTING_DOWN');
  });
});

describe('platformGrpcServerOptions', () => {
  it('loads the protos with protoLoaderOptions, checks their UTF-8, and passes the interceptors to grpc-js', () => {
    const options = platformGrpcServerOptions({
      package: 'platform.order.v1',
      protoPath: 'platform/order/v1/order_service.proto',
      url: '0.0.0.0:50051',
      interceptors: [contextInterceptor],
    });
    const loaded = loadSync('platform/order/v1/order_service.proto', protoLoaderOptions);
    const service = options.options.packageDefinition?.[serviceNames.order] as ServiceDefinition;
    const getOrder = service['GetOrder'] as MethodDefinition<object, object>;
    expect(Object.keys(options.options.packageDefinition ?? {})).toEqual(Object.keys(loaded));
    expect(isUtf8Checked(getOrder.requestDeserialize)).toBe(true);
    // Decoded as the loader options say (camelCase names, defaults).
    expect(getOrder.requestDeserialize(Buffer.from([0x0a, 0x01, 0x61]))).toEqual({ orderId: 'a' });
    expect(options.options).not.toHaveProperty('protoPath');
    expect(options.options.channelOptions?.['interceptors']).toEqual([contextInterceptor]);
  });
});

describe('invalid UTF-8 on a Nest server built with platformGrpcServerOptions', () => {
  /** A request whose field 1 (a string in each of these requests) holds invalid UTF-8. */
  const badField1 = Buffer.from([0x0a, 0x02, 0xc3, 0x28]);
  const identity = (bytes: Buffer) => bytes;

  function unaryRaw(address: string, path: string, request: Buffer): Promise<grpc.ServiceError | null> {
    return new Promise((resolve) =>
      genericClient(address).makeUnaryRequest(path, identity, identity, request, (error) => resolve(error)),
    );
  }

  it('is refused INVALID_ARGUMENT by the application services, health and reflection alike', async () => {
    nest = await startNestGrpcApp({
      controllers: [OrderController],
      interceptors: createServerChain({ errors: { domain: 'test.platform' } }),
      server: { health: new HealthService({ services: [serviceNames.order] }) },
    });
    const fields: (string | undefined)[] = [];
    for (const path of [`/${serviceNames.order}/GetOrder`, '/grpc.health.v1.Health/Check']) {
      const error = await unaryRaw(nest.address, path, badField1);
      expect(error?.code, path).toBe(grpc.status.INVALID_ARGUMENT);
      fields.push(statusFromMetadata(error?.metadata)?.details.badRequest?.fieldViolations[0]?.field);
    }
    // ServerReflectionInfo is a bidi stream: field 1 is `host`.
    const { address } = nest;
    const reflectionError = await new Promise<grpc.ServiceError | undefined>((resolve) => {
      const call = genericClient(address).makeBidiStreamRequest(
        '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
        identity,
        identity,
      );
      call.on('data', () => undefined);
      call.on('error', resolve);
      call.on('end', () => resolve(undefined));
      call.write(badField1);
      call.end();
    });
    expect(reflectionError?.code).toBe(grpc.status.INVALID_ARGUMENT);
    fields.push(statusFromMetadata(reflectionError?.metadata)?.details.badRequest?.fieldViolations[0]?.field);
    expect(fields).toEqual(['order_id', 'service', 'host']);
  });
});

describe('repeated metadata on a Nest server built with platformGrpcServerOptions', () => {
  it('reaches the interceptors as one value per header field', async () => {
    const seen: grpc.MetadataValue[][] = [];
    const recordTags: grpc.ServerInterceptor = (_definition, call) =>
      new grpc.ServerInterceptingCall(call, {
        start: (next) =>
          next({
            onReceiveMetadata: (metadata, nextMetadata) => {
              seen.push(metadata.get('x-tag'));
              nextMetadata(metadata);
            },
          }),
      });
    nest = await startNestGrpcApp({
      controllers: [OrderController],
      interceptors: [recordTags, contextInterceptor],
    });
    await callWithRawHeaders(
      nest.address,
      `/${serviceNames.order}/GetOrder`,
      [
        ['x-tag', 'a'],
        ['x-tag', 'b'],
      ],
      [Buffer.from([0x0a, 0x01, 0x61])],
    );
    expect(seen).toEqual([['a', 'b']]);
  });
});
