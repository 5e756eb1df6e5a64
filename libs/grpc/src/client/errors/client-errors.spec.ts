import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { GetOrderRequest, OrderServiceClient, OrderServiceService, type ErrorDetails } from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../channel/create-client.js';
import { unaryCall } from '../channel/unary-call.js';
import { ClientError } from './client-error.js';
import { httpStatusOf } from './http-status-of.js';

const getOrder = OrderServiceService.getOrder.path;

const everyDetail: ErrorDetails = {
  errorInfo: { reason: 'ORDER_NOT_FOUND', domain: 'order.platform', metadata: { orderId: 'o-1' } },
  badRequest: {
    fieldViolations: [
      { field: 'order_id', description: 'unknown', reason: 'UNKNOWN_ID', localizedMessage: null },
    ],
  },
  preconditionFailure: { violations: [{ type: 'STATE', subject: 'orders/o-1', description: 'cancelled' }] },
  quotaFailure: {
    violations: [
      {
        subject: 'user:u-1',
        description: 'too many',
        apiService: '',
        quotaMetric: '',
        quotaId: '',
        quotaDimensions: {},
        quotaValue: '0',
        futureQuotaValue: null,
      },
    ],
  },
  retryInfo: { retryDelay: { seconds: '2', nanos: 500_000_000 } },
  resourceInfo: {
    resourceType: 'platform.order.v1.Order',
    resourceName: 'o-1',
    owner: '',
    description: 'gone',
  },
  requestInfo: { requestId: 'r-1', servingData: 'node-7' },
  debugInfo: { stackEntries: ['at handler'], detail: 'debug' },
  help: { links: [{ description: 'docs', url: 'https://example.com/errors' }] },
  localizedMessage: { locale: 'de-DE', message: 'Bestellung nicht gefunden' },
};

let server: FaultServer;
let client: OrderServiceClient;

beforeAll(async () => {
  server = await startFaultServer();
  client = createClient(OrderServiceClient, server.address);
});

afterAll(async () => {
  client.close();
  await server.stop();
});

async function failedGetOrder(): Promise<unknown> {
  return unaryCall(client.getOrder.bind(client), GetOrderRequest.create({ orderId: 'o-1' })).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('a call failing with every standard detail', () => {
  it('rejects with a ClientError carrying the code, message, trailers and every decoded detail', async () => {
    server.script(getOrder, {
      faults: [{ code: GrpcStatus.NOT_FOUND, message: 'Order o-1 not found', details: everyDetail }],
    });
    const error = await failedGetOrder();
    expect(error).toBeInstanceOf(ClientError);
    const clientError = error as ClientError;
    expect(clientError.code).toBe(GrpcStatus.NOT_FOUND);
    expect(clientError.details).toBe('Order o-1 not found');
    expect(clientError.message).toBe('NOT_FOUND: Order o-1 not found');
    expect(clientError.metadata.get('grpc-status-details-bin')).toHaveLength(1);
    expect(clientError.statusDetails).toEqual(everyDetail);
    expect(clientError.unknownDetails).toEqual([]);
    expect(clientError.reason).toBe('ORDER_NOT_FOUND');
    expect(clientError.domain).toBe('order.platform');
    expect(clientError.retryDelayMs).toBe(2_500);
    expect(clientError.toHttpStatus()).toBe(404);
  });
});

describe('a call failing without details', () => {
  it('has empty details and no reason', async () => {
    server.script(getOrder, { faults: [{ code: GrpcStatus.UNAVAILABLE }] });
    const error = (await failedGetOrder()) as ClientError;
    expect(error.statusDetails).toEqual({});
    expect(error.reason).toBeUndefined();
    expect(error.retryDelayMs).toBeUndefined();
    expect(error.toHttpStatus()).toBe(503);
  });
});

describe('ClientError.from', () => {
  it('keeps a ClientError as it is', () => {
    const error = new ClientError(GrpcStatus.ABORTED, 'conflict');
    expect(ClientError.from(error)).toBe(error);
  });

  it('turns a status object into a ClientError with the original as cause', () => {
    const status = { code: GrpcStatus.PERMISSION_DENIED, details: 'no', metadata: new Metadata() };
    const error = ClientError.from(status);
    expect(error.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(error.details).toBe('no');
    expect(error.cause).toBe(status);
  });

  it('turns an error that is not a gRPC status into UNKNOWN', () => {
    const error = ClientError.from(new TypeError('bad'));
    expect(error.code).toBe(GrpcStatus.UNKNOWN);
    expect(error.details).toBe('bad');
    expect(ClientError.from('text').details).toBe('text');
  });

  it('ignores a malformed grpc-status-details-bin', () => {
    const metadata = new Metadata();
    metadata.set('grpc-status-details-bin', Buffer.from([0xff, 0xff, 0xff]));
    expect(ClientError.from({ code: GrpcStatus.INTERNAL, details: 'x', metadata }).statusDetails).toEqual({});
  });
});

describe('instanceof', () => {
  it('recognises a ClientError of another copy of this package by its registered brand', () => {
    const fromOtherCopy = Object.defineProperty(new Error('x'), Symbol.for('@platform/grpc.ClientError'), {
      value: true,
    });
    expect(fromOtherCopy).toBeInstanceOf(ClientError);
  });

  it('rejects plain errors and grpc-js ServiceErrors', () => {
    expect(new Error('x')).not.toBeInstanceOf(ClientError);
    expect(Object.assign(new Error('x'), { code: GrpcStatus.INTERNAL, details: 'x' })).not.toBeInstanceOf(
      ClientError,
    );
    expect(null).not.toBeInstanceOf(ClientError);
  });
});

describe('toHttpStatus', () => {
  it.each([
    [GrpcStatus.OK, 200],
    [GrpcStatus.CANCELLED, 499],
    [GrpcStatus.UNKNOWN, 500],
    [GrpcStatus.INVALID_ARGUMENT, 400],
    [GrpcStatus.DEADLINE_EXCEEDED, 504],
    [GrpcStatus.NOT_FOUND, 404],
    [GrpcStatus.ALREADY_EXISTS, 409],
    [GrpcStatus.PERMISSION_DENIED, 403],
    [GrpcStatus.UNAUTHENTICATED, 401],
    [GrpcStatus.RESOURCE_EXHAUSTED, 429],
    [GrpcStatus.FAILED_PRECONDITION, 400],
    [GrpcStatus.ABORTED, 409],
    [GrpcStatus.OUT_OF_RANGE, 400],
    [GrpcStatus.UNIMPLEMENTED, 501],
    [GrpcStatus.INTERNAL, 500],
    [GrpcStatus.UNAVAILABLE, 503],
    [GrpcStatus.DATA_LOSS, 500],
  ])('maps code %i to HTTP %i', (code, http) => {
    expect(new ClientError(code, 'x').toHttpStatus()).toBe(http);
  });

  it('maps a code outside google.rpc.Code to 500', () => {
    expect(httpStatusOf(99)).toBe(500);
  });
});
