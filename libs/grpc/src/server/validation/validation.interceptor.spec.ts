import * as grpc from '@grpc/grpc-js';
import {
  GetOrderRequest,
  ImportOrdersRequest,
  ImportOrdersResponse,
  OrderServiceClient,
  OrderServiceService,
  statusFromMetadata,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextInterceptor } from '../context/context.interceptor.js';
import { validationServerInterceptor } from './validation.interceptor.js';
import type { RequestValidator } from '@platform/core';

const orderIdFormat: RequestValidator<GetOrderRequest> = (request) =>
  /^[0-9a-f-]{36}$/.test(request.orderId)
    ? []
    : [{ field: 'order_id', description: 'must be a UUID', reason: 'FORMAT' }];

const importItem: RequestValidator<ImportOrdersRequest> = (request) =>
  request.order?.requestId ? [] : [{ field: 'order.request_id', description: 'is required' }];

let server: RunningGrpcServer;
let client: OrderServiceClient;
let handled: unknown[];

beforeEach(async () => {
  handled = [];
  server = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          getOrder: (
            call: grpc.ServerUnaryCall<GetOrderRequest, unknown>,
            callback: grpc.sendUnaryData<unknown>,
          ) => {
            handled.push(call.request);
            callback(null, { order: null });
          },
          importOrders: (
            call: grpc.ServerReadableStream<ImportOrdersRequest, unknown>,
            callback: grpc.sendUnaryData<ImportOrdersResponse>,
          ) => {
            call.on('data', (item) => handled.push(item));
            call.on('end', () =>
              callback(
                null,
                ImportOrdersResponse.create({
                  createdCount: handled.length,
                  duplicateCount: 0,
                  failedCount: 0,
                  results: [],
                }),
              ),
            );
          },
        } as grpc.UntypedServiceImplementation,
      },
    ],
    interceptors: [
      contextInterceptor,
      validationServerInterceptor({
        validators: {
          '/platform.order.v1.OrderService/GetOrder': orderIdFormat as RequestValidator,
          '/platform.order.v1.OrderService/ImportOrders': importItem as RequestValidator,
        },
      }),
    ],
  });
  client = new OrderServiceClient(server.address, grpc.credentials.createInsecure());
});

afterEach(async () => {
  client.close();
  await server.stop();
});

describe('an invalid unary request', () => {
  it('is answered INVALID_ARGUMENT with field violations, and the handler never sees it', async () => {
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.getOrder(GetOrderRequest.create({ orderId: 'not-a-uuid' }), (failure) => resolve(failure)),
    );
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(statusFromMetadata(error?.metadata)?.details.badRequest?.fieldViolations).toEqual([
      { field: 'order_id', description: 'must be a UUID', reason: 'FORMAT', localizedMessage: null },
    ]);
    expect(handled).toEqual([]);
  });
});

describe('a valid unary request', () => {
  it('reaches the handler unchanged', async () => {
    const orderId = '6f1c1a55-1d2e-4f6b-8a51-0c8f1d7c2b3a';
    await new Promise((resolve) => client.getOrder(GetOrderRequest.create({ orderId }), resolve));
    expect(handled).toEqual([{ orderId }]);
  });
});

describe('a client stream', () => {
  it('is validated message by message and ends at the first invalid one', async () => {
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.importOrders((failure) => resolve(failure));
      call.write(
        ImportOrdersRequest.create({
          order: { requestId: 'a', userId: '', items: [], currencyCode: 'EUR' },
        }),
      );
      call.write(
        ImportOrdersRequest.create({
          order: { requestId: '', userId: '', items: [], currencyCode: 'EUR' },
        }),
      );
      call.write(
        ImportOrdersRequest.create({
          order: { requestId: 'c', userId: '', items: [], currencyCode: 'EUR' },
        }),
      );
      call.end();
    });
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(statusFromMetadata(error?.metadata)?.details.badRequest?.fieldViolations[0]?.field).toBe(
      'order.request_id',
    );
    expect(handled).toHaveLength(1);
  });
});
