import * as grpc from '@grpc/grpc-js';
import {
  GetOrderRequest,
  GetOrderResponse,
  OrderServiceClient,
  OrderServiceService,
  statusDetailsKey,
  statusFromMetadata,
  WatchOrderRequest,
  type DecodedStatus,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import type { CallContext } from '../context/call-context.js';
import { contextInterceptor } from '../context/context.interceptor.js';
import { PlatformError } from '@platform/core';
import {
  AbortedError,
  AlreadyExistsError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from '@platform/core';
import { errorInterceptor } from './error.interceptor.js';
import { toPlatformError } from '@platform/core';

const domain = 'test.platform';
let server: RunningGrpcServer;
let client: OrderServiceClient;
let contexts: CallContext[];
let fail: (
  call: grpc.ServerUnaryCall<unknown, unknown>,
  callback: grpc.sendUnaryData<GetOrderResponse>,
) => void;

beforeEach(async () => {
  contexts = [];
  const recordContext = createServerInterceptor('record', (context) => {
    contexts.push(context);
    return undefined;
  });
  server = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          getOrder: (
            call: grpc.ServerUnaryCall<unknown, unknown>,
            callback: grpc.sendUnaryData<GetOrderResponse>,
          ) => fail(call, callback),
          watchOrder: (call: grpc.ServerWritableStream<unknown, unknown>) => {
            call.write({ order: null });
            call.emit(
              'error',
              new NotFoundError('Order gone', { resourceType: 'Order', resourceName: 'o1' }),
            );
          },
        } as grpc.UntypedServiceImplementation,
      },
    ],
    interceptors: [
      contextInterceptor,
      recordContext,
      errorInterceptor({ domain, newErrorId: () => 'err-1' }),
    ],
    serverOptions: { 'grpc.max_receive_message_length': 1024 },
  });
  client = new OrderServiceClient(server.address, grpc.credentials.createInsecure());
});

afterEach(async () => {
  client.close();
  await server.stop();
});

function callFailing(orderId = '1'): Promise<grpc.ServiceError> {
  return new Promise((resolve, reject) =>
    client.getOrder(GetOrderRequest.create({ orderId }), (error) =>
      error ? resolve(error) : reject(new Error('expected a failure')),
    ),
  );
}

function details(error: grpc.ServiceError): DecodedStatus {
  const decoded = statusFromMetadata(error.metadata);
  if (!decoded) throw new Error(`no ${statusDetailsKey} in the trailers`);
  return decoded;
}

describe('typed errors', () => {
  const resource = { resourceType: 'platform.order.v1.Order', resourceName: 'orders/o1' };
  const cases: {
    error: PlatformError;
    code: grpc.status;
    reason: string;
    detail: Record<string, unknown>;
  }[] = [
    {
      error: new NotFoundError('Order not found', resource, { reason: 'ORDER_NOT_FOUND' }),
      code: grpc.status.NOT_FOUND,
      reason: 'ORDER_NOT_FOUND',
      detail: { resourceInfo: expect.objectContaining(resource) },
    },
    {
      error: new AlreadyExistsError('Email taken', { resourceType: 'User', resourceName: 'a@b.c' }),
      code: grpc.status.ALREADY_EXISTS,
      reason: 'ALREADY_EXISTS',
      detail: { resourceInfo: expect.objectContaining({ resourceName: 'a@b.c' }) },
    },
    {
      error: new InvalidArgumentError('Bad order', [
        { field: 'items[3].quantity', description: 'must be at least 1', reason: 'TOO_SMALL' },
      ]),
      code: grpc.status.INVALID_ARGUMENT,
      reason: 'INVALID_ARGUMENT',
      detail: {
        badRequest: {
          fieldViolations: [
            {
              field: 'items[3].quantity',
              description: 'must be at least 1',
              reason: 'TOO_SMALL',
              localizedMessage: null,
            },
          ],
        },
      },
    },
    {
      error: new FailedPreconditionError(
        'User deactivated',
        [{ type: 'USER_STATUS', subject: 'users/u1', description: 'deactivated' }],
        { reason: 'USER_DEACTIVATED', metadata: { userId: 'u1' } },
      ),
      code: grpc.status.FAILED_PRECONDITION,
      reason: 'USER_DEACTIVATED',
      detail: {
        preconditionFailure: {
          violations: [{ type: 'USER_STATUS', subject: 'users/u1', description: 'deactivated' }],
        },
      },
    },
    {
      error: new PermissionDeniedError('Admins only', { reason: 'ROLE_REQUIRED' }),
      code: grpc.status.PERMISSION_DENIED,
      reason: 'ROLE_REQUIRED',
      detail: {},
    },
    {
      error: new UnauthenticatedError('Token expired', { reason: 'TOKEN_EXPIRED' }),
      code: grpc.status.UNAUTHENTICATED,
      reason: 'TOKEN_EXPIRED',
      detail: {},
    },
    {
      error: new ResourceExhaustedError('Slow down', {
        retryDelayMs: 1_500,
        violations: [{ subject: 'user:u1', description: '10 calls/s' }],
      }),
      code: grpc.status.RESOURCE_EXHAUSTED,
      reason: 'RESOURCE_EXHAUSTED',
      detail: {
        retryInfo: { retryDelay: { seconds: '1', nanos: 500_000_000 } },
        quotaFailure: {
          violations: [expect.objectContaining({ subject: 'user:u1', description: '10 calls/s' })],
        },
      },
    },
    {
      error: new UnavailableError('Try later', { retryDelayMs: 250 }),
      code: grpc.status.UNAVAILABLE,
      reason: 'UNAVAILABLE',
      detail: { retryInfo: { retryDelay: { seconds: '0', nanos: 250_000_000 } } },
    },
    {
      error: new AbortedError('Version conflict', { reason: 'VERSION_CONFLICT' }),
      code: grpc.status.ABORTED,
      reason: 'VERSION_CONFLICT',
      detail: {},
    },
    {
      error: new InternalError('e-42'),
      code: grpc.status.INTERNAL,
      reason: 'INTERNAL',
      detail: {},
    },
  ];

  it.each(cases)(
    '$error.name reaches the client as $reason with its details',
    async ({ error, code, reason, detail }) => {
      fail = (_call, callback) => callback(error);

      const received = await callFailing();

      expect(received.code).toBe(code);
      expect(received.details).toBe(error.message);
      const status = details(received);
      expect(status.code).toBe(code);
      expect(status.details.errorInfo).toEqual({
        reason,
        domain,
        metadata: { ...error.errorMetadata },
      });
      expect(status.details).toMatchObject(detail);
    },
  );

  it('keeps the domain a service chose itself', async () => {
    fail = (_call, callback) => callback(new PermissionDeniedError('No', { domain: 'user.platform' }));
    expect(details(await callFailing()).details.errorInfo?.domain).toBe('user.platform');
  });
});

describe('an unexpected error', () => {
  it('becomes INTERNAL with an error id and leaks neither message nor stack', async () => {
    const secret = new Error('connection to postgres://admin:hunter2@db failed');
    fail = (_call, callback) => callback(secret);

    const received = await callFailing();

    expect(received.code).toBe(grpc.status.INTERNAL);
    expect(received.details).toBe('Internal error (error id err-1)');
    expect(JSON.stringify(details(received))).not.toContain('hunter2');
    expect(details(received).details.errorInfo).toEqual({
      reason: 'INTERNAL',
      domain,
      metadata: { errorId: 'err-1' },
    });
    expect(contexts[0]?.errorId).toBe('err-1');
    expect(String(contexts[0]?.error)).toContain('hunter2');
  });

  it('thrown synchronously by a plain grpc-js handler becomes INTERNAL too', async () => {
    fail = () => {
      throw new TypeError('cannot read properties of undefined');
    };
    const received = await callFailing();
    expect(received.code).toBe(grpc.status.INTERNAL);
    expect(details(received).details.errorInfo?.metadata).toEqual({ errorId: 'err-1' });
  });

  it('mapped by toPlatformError keeps its error id in the context', async () => {
    fail = (_call, callback) => callback(toPlatformError(new Error('boom'), () => 'mapped-7'));
    const received = await callFailing();
    expect(received.details).toBe('Internal error (error id mapped-7)');
    expect(contexts[0]?.errorId).toBe('mapped-7');
  });
});

describe('a stream that fails after a message', () => {
  it('ends with the typed error and its details', async () => {
    const stream = client.watchOrder(WatchOrderRequest.create({ orderId: 'o1' }));
    const messages: unknown[] = [];
    stream.on('data', (message) => messages.push(message));
    const error = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    expect(messages).toHaveLength(1);
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(details(error).details.resourceInfo?.resourceName).toBe('o1');
  });
});

describe("grpc-js's own statuses", () => {
  it('passed as a plain { code, details } object get an ErrorInfo naming the code', async () => {
    fail = (call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: `no ${call.getPath()}` });
    const received = await callFailing();
    expect(received.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(details(received).details.errorInfo).toEqual({ reason: 'UNIMPLEMENTED', domain, metadata: {} });
  });

  it('from the transport (an oversized request) stay RESOURCE_EXHAUSTED and the server keeps serving', async () => {
    // grpc-js answers these below the interceptors, so they carry no google.rpc details.
    fail = (_call, callback) => callback(null, GetOrderResponse.create({ order: null }));
    const received = await callFailing('x'.repeat(4096));
    expect(received.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await expect(
      new Promise((resolve, reject) =>
        client.getOrder(GetOrderRequest.create({ orderId: 'ok' }), (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      ),
    ).resolves.toEqual({ order: null });
  });
});

describe('the details trailer', () => {
  it('is bounded: large details are dropped first, ErrorInfo kept', async () => {
    const violations = Array.from({ length: 500 }, (_, index) => ({
      field: `items[${index}].sku`,
      description: 'unknown sku '.repeat(5),
    }));
    fail = (_call, callback) =>
      callback(
        new InvalidArgumentError('Too many problems', violations, {
          details: { debugInfo: { stackEntries: ['x'.repeat(10_000)], detail: 'd' } },
        }),
      );

    const received = await callFailing();

    const [raw] = received.metadata.get(statusDetailsKey) as Buffer[];
    expect(raw?.length).toBeLessThanOrEqual(4096);
    expect(details(received).details.errorInfo?.reason).toBe('INVALID_ARGUMENT');
    expect(details(received).details.debugInfo).toBeUndefined();
  });
});
