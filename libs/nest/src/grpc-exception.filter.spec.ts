import 'reflect-metadata';
import * as grpc from '@grpc/grpc-js';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  GatewayTimeoutException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  NotImplementedException,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import {
  GetOrderRequest,
  GetOrderResponse,
  ImportOrdersRequest,
  OrderServiceClient,
  OrderServiceService,
  statusDetailsKey,
  statusFromMetadata,
  TrackOrdersRequest,
  TrackOrdersResponse,
  WatchOrderRequest,
  WatchOrderResponse,
  type DecodedStatus,
  type ImportOrdersResponse,
} from '@platform/proto';
import { concat, map, of, throwError, type Observable } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '@platform/core';
import {
  type CallContext,
  contextInterceptor,
  createServerInterceptor,
  errorInterceptor,
} from '@platform/grpc';
import { startNestGrpcApp, type NestGrpcApp } from './__fixtures__/nest-grpc-app.js';
import { GrpcExceptionFilter } from './grpc-exception.filter.js';
import { GrpcService } from './grpc-service.decorator.js';

const domain = 'test.platform';

/** What the handlers throw, set by each test. */
let failure: () => unknown = () => new Error('not set');
let handled: string[] = [];
let contexts: CallContext[] = [];

@GrpcService(OrderServiceService)
class FailingController {
  getOrder(
    request: GetOrderRequest,
  ): Promise<GetOrderResponse> | Observable<GetOrderResponse> | GetOrderResponse {
    handled.push(request.orderId);
    switch (request.orderId) {
      case 'sync':
        throw failure();
      case 'async':
        return Promise.resolve().then(() => Promise.reject(failure()));
      case 'observable':
        return throwError(failure);
      default:
        return GetOrderResponse.create({ order: null });
    }
  }

  watchOrder(): Observable<WatchOrderResponse> {
    return concat(of(WatchOrderResponse.create()), throwError(failure));
  }

  importOrders(requests: Observable<ImportOrdersRequest>): Observable<ImportOrdersResponse> {
    return requests.pipe(
      map(() => {
        throw failure();
      }),
    );
  }

  trackOrders(requests: Observable<TrackOrdersRequest>): Observable<TrackOrdersResponse> {
    return requests.pipe(
      map((request) => {
        if (request.subscribeOrderId === 'bad') throw failure();
        return TrackOrdersResponse.create({ orderId: request.subscribeOrderId ?? '' });
      }),
    );
  }
}

/** Denies unary calls for order `deny`, as an authorization guard would. */
class DenyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return (context.switchToRpc().getData() as Partial<GetOrderRequest>)?.orderId !== 'deny';
  }
}

let nest: NestGrpcApp;
let client: OrderServiceClient;

beforeEach(async () => {
  handled = [];
  contexts = [];
  const recordContext = createServerInterceptor('record', (context) => {
    contexts.push(context);
    return undefined;
  });
  nest = await startNestGrpcApp({
    controllers: [FailingController],
    interceptors: [contextInterceptor, recordContext, errorInterceptor({ domain })],
    filters: [new GrpcExceptionFilter({ newErrorId: () => 'err-1' })],
    guards: [new DenyGuard()],
  });
  client = new OrderServiceClient(nest.address, grpc.credentials.createInsecure());
});

afterEach(async () => {
  client.close();
  await nest.close();
});

interface Failure {
  error: grpc.ServiceError;
  status: DecodedStatus | undefined;
}

function failed(error: grpc.ServiceError): Failure {
  return { error, status: statusFromMetadata(error.metadata) };
}

function getOrder(orderId: string): Promise<Failure> {
  return new Promise((resolve, reject) =>
    client.getOrder(GetOrderRequest.create({ orderId }), (error) =>
      error ? resolve(failed(error)) : reject(new Error('call succeeded')),
    ),
  );
}

/** The serialized trailers and message, to prove nothing of a secret left the server. */
function everythingSent({ error }: Failure): string {
  const [details] = error.metadata.get(statusDetailsKey);
  return `${error.details} ${Buffer.isBuffer(details) ? details.toString('latin1') : ''}`;
}

describe('a PlatformError', () => {
  it.each(['sync', 'async', 'observable'])('thrown %s is sent as is, details included', async (mode) => {
    failure = () =>
      new NotFoundError(
        'Order o-1 not found',
        { resourceType: 'platform.order.v1.Order', resourceName: 'o-1' },
        {
          reason: 'ORDER_NOT_FOUND',
        },
      );

    const { error, status } = await getOrder(mode);

    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toBe('Order o-1 not found');
    expect(status?.details.errorInfo).toEqual({ reason: 'ORDER_NOT_FOUND', domain, metadata: {} });
    expect(status?.details.resourceInfo).toMatchObject({ resourceName: 'o-1' });
  });
});

describe('a Nest RpcException', () => {
  it.each([
    ['{ code, message }', { code: grpc.status.FAILED_PRECONDITION, message: 'Order is cancelled' }],
    [
      'grpc-js style { code, details }',
      { code: grpc.status.FAILED_PRECONDITION, details: 'Order is cancelled' },
    ],
  ])('with %s answers that code and message', async (_shape, rpcError) => {
    failure = () => new RpcException(rpcError);

    const { error, status } = await getOrder('sync');

    expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(error.details).toBe('Order is cancelled');
    expect(status?.details.errorInfo).toEqual({ reason: 'FAILED_PRECONDITION', domain, metadata: {} });
  });

  it.each([
    ['a string', 'orders table is locked by pid 4242'],
    ['the UNKNOWN code', { code: grpc.status.UNKNOWN, message: 'orders table is locked by pid 4242' }],
    ['no usable code', { code: 99, message: 'orders table is locked by pid 4242' }],
  ])('with %s answers INTERNAL with an error id, without its message', async (_shape, rpcError) => {
    const thrown = new RpcException(rpcError);
    failure = () => thrown;

    const sent = await getOrder('sync');

    expect(sent.error.code).toBe(grpc.status.INTERNAL);
    expect(sent.error.details).toBe('Internal error (error id err-1)');
    expect(sent.status?.details.errorInfo?.metadata).toEqual({ errorId: 'err-1' });
    expect(everythingSent(sent)).not.toContain('pid 4242');
    expect(contexts[0]?.error).toBe(thrown);
  });
});

describe('a Nest HttpException', () => {
  it.each([
    [
      new BadRequestException(['orderId must be a UUID', 'reason is too long']),
      grpc.status.INVALID_ARGUMENT,
      'orderId must be a UUID; reason is too long',
      '400',
    ],
    [new UnauthorizedException('Token expired'), grpc.status.UNAUTHENTICATED, 'Token expired', '401'],
    [new ForbiddenException('Not your order'), grpc.status.PERMISSION_DENIED, 'Not your order', '403'],
    [new NotFoundException('No order o-1'), grpc.status.NOT_FOUND, 'No order o-1', '404'],
    [new ConflictException('Request id reused'), grpc.status.ALREADY_EXISTS, 'Request id reused', '409'],
    [new HttpException('Slow down', 429), grpc.status.RESOURCE_EXHAUSTED, 'Slow down', '429'],
    [new HttpException('Client went away', 499), grpc.status.CANCELLED, 'Client went away', '499'],
    [new NotImplementedException('Not yet'), grpc.status.UNIMPLEMENTED, 'Not yet', '501'],
    [new ServiceUnavailableException('Database down'), grpc.status.UNAVAILABLE, 'Database down', '503'],
    [new GatewayTimeoutException('Upstream slow'), grpc.status.DEADLINE_EXCEEDED, 'Upstream slow', '504'],
  ])(
    '%s answers the gRPC code of its HTTP status with ErrorInfo',
    async (exception, code, message, httpStatus) => {
      failure = () => exception;

      const { error, status } = await getOrder('async');

      expect(error.code).toBe(code);
      expect(error.details).toBe(message);
      expect(status?.details.errorInfo).toEqual({
        reason: grpc.status[code],
        domain,
        metadata: { httpStatus },
      });
    },
  );

  it.each([
    ['500', new InternalServerErrorException('pg: password authentication failed for hunter2')],
    ['418', new HttpException('pg: password authentication failed for hunter2', 418)],
  ])('with status %s answers INTERNAL with an error id, without its message', async (_status, exception) => {
    failure = () => exception;

    const sent = await getOrder('sync');

    expect(sent.error.code).toBe(grpc.status.INTERNAL);
    expect(sent.status?.details.errorInfo?.metadata).toEqual({ errorId: 'err-1' });
    expect(everythingSent(sent)).not.toContain('hunter2');
  });
});

describe('a guard denial', () => {
  it('answers PERMISSION_DENIED, never UNKNOWN, and the handler does not run', async () => {
    const { error, status } = await getOrder('deny');

    expect(error.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(error.details).toBe('Forbidden resource');
    expect(status?.details.errorInfo).toEqual({ reason: 'PERMISSION_DENIED', domain, metadata: {} });
    expect(handled).toEqual([]);
  });
});

describe('an unknown error', () => {
  it.each(['sync', 'async', 'observable'])(
    'thrown %s answers INTERNAL with an error id; the original is kept for the log only',
    async (mode) => {
      const thrown = new Error('connect ECONNREFUSED postgres://orders:hunter2@db:5432');
      failure = () => thrown;

      const sent = await getOrder(mode);

      expect(sent.error.code).toBe(grpc.status.INTERNAL);
      expect(sent.error.details).toBe('Internal error (error id err-1)');
      expect(sent.status?.details.errorInfo).toEqual({
        reason: 'INTERNAL',
        domain,
        metadata: { errorId: 'err-1' },
      });
      expect(everythingSent(sent)).not.toContain('hunter2');
      expect(contexts[0]?.error).toBe(thrown);
      expect(contexts[0]?.errorId).toBe('err-1');
    },
  );

  it('from a downstream call answering UNAVAILABLE stays UNAVAILABLE (not processed, retryable)', async () => {
    failure = () =>
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
        code: grpc.status.UNAVAILABLE,
      });

    const { error, status } = await getOrder('sync');

    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(status?.details.errorInfo?.reason).toBe('DEPENDENCY_UNAVAILABLE');
  });
});

describe('a streaming handler', () => {
  it('of a server stream failing after a message ends the stream with the mapped error', async () => {
    failure = () =>
      new NotFoundError('Order o-9 gone', { resourceType: 'platform.order.v1.Order', resourceName: 'o-9' });
    const stream = client.watchOrder(WatchOrderRequest.create({ orderId: 'o-9' }));
    const messages: WatchOrderResponse[] = [];
    stream.on('data', (message: WatchOrderResponse) => messages.push(message));

    const { error, status } = failed(
      await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve)),
    );

    expect(messages).toEqual([{ order: null }]);
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(status?.details.resourceInfo).toMatchObject({ resourceName: 'o-9' });
  });

  it('of a client stream failing on a request answers the mapped error', async () => {
    const thrown = new Error('secret-token-abc leaked into an error');
    failure = () => thrown;

    const sent = await new Promise<Failure>((resolve, reject) => {
      const upload = client.importOrders((error) =>
        error ? resolve(failed(error)) : reject(new Error('call succeeded')),
      );
      upload.write(ImportOrdersRequest.create({ order: null }));
      upload.end();
    });

    expect(sent.error.code).toBe(grpc.status.INTERNAL);
    expect(everythingSent(sent)).not.toContain('secret-token-abc');
    expect(contexts[0]?.error).toBe(thrown);
  });

  it('of a bidi stream failing on a request answers the mapped error after the earlier answers', async () => {
    failure = () => new BadRequestException('subscribe_order_id must not be "bad"');
    const stream = client.trackOrders();
    const answers: string[] = [];
    stream.on('data', (message: TrackOrdersResponse) => answers.push(message.orderId));
    const streamError = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    stream.write(TrackOrdersRequest.create({ subscribeOrderId: 'o-1' }));
    stream.write(TrackOrdersRequest.create({ subscribeOrderId: 'bad' }));

    const { error } = failed(await streamError);

    expect(answers).toEqual(['o-1']);
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe('subscribe_order_id must not be "bad"');
  });
});
