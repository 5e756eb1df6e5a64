import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import * as grpc from '@grpc/grpc-js';
import {
  OrderServiceService,
  statusFromMetadata,
  UserServiceService,
  type CancelOrderRequest,
  type ImportOrdersRequest,
} from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contextInterceptor } from '../context/context.interceptor.js';
import { errorInterceptor } from '../errors/error.interceptor.js';
import { validationServerInterceptor } from '../validation/validation.interceptor.js';
import { isUtf8Checked, utf8Checked } from './utf8-checked.js';
import { utf8Interceptor } from './utf8.interceptor.js';

/** 0xC3 starts a two-byte sequence that 0x28 does not continue: invalid UTF-8. */
const invalid = Uint8Array.of(0x61, 0xc3, 0x28);
const utf8 = (text: string) => new TextEncoder().encode(text);

/** A message of length-delimited fields, in order: [field number, bytes] pairs. */
function message(...fields: (readonly [number, Uint8Array])[]): Buffer {
  const writer = new BinaryWriter();
  for (const [number, bytes] of fields) writer.tag(number, WireType.LengthDelimited).bytes(bytes);
  return Buffer.from(writer.finish());
}

const lineItem = (sku: Uint8Array) => message([1, sku]);
const createOrder = (...skus: Uint8Array[]) =>
  message([1, utf8('r-1')], [4, utf8('EUR')], ...skus.map((sku) => [3, lineItem(sku)] as const));

let server: RunningGrpcServer;
let client: grpc.Client;
const handled: unknown[] = [];
const validated: unknown[] = [];

const raw = (bytes: Buffer) => bytes;
const decoded = (bytes: Buffer) => bytes;

beforeAll(async () => {
  server = await startGrpcServer({
    services: [
      {
        definition: utf8Checked(OrderServiceService),
        implementation: {
          createOrder: (
            call: grpc.ServerUnaryCall<unknown, unknown>,
            callback: grpc.sendUnaryData<unknown>,
          ) => {
            handled.push(call.request);
            callback(null, { order: null });
          },
          cancelOrder: (
            call: grpc.ServerUnaryCall<CancelOrderRequest, unknown>,
            callback: grpc.sendUnaryData<unknown>,
          ) => {
            handled.push(call.request);
            callback(null, { order: null });
          },
          watchOrder: (call: grpc.ServerWritableStream<unknown, unknown>) => {
            handled.push(call.request);
            call.end();
          },
          importOrders: (
            call: grpc.ServerReadableStream<ImportOrdersRequest, unknown>,
            callback: grpc.sendUnaryData<unknown>,
          ) => {
            call.on('data', (item) => handled.push(item));
            call.on('end', () =>
              callback(null, { createdCount: 0, duplicateCount: 0, failedCount: 0, results: [] }),
            );
            call.on('error', () => undefined);
          },
          trackOrders: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
            call.on('data', (request) => handled.push(request));
            call.on('end', () => call.end());
            call.on('error', () => undefined);
          },
        } as grpc.UntypedServiceImplementation,
      },
      {
        definition: utf8Checked(UserServiceService),
        implementation: {
          authenticate: (
            call: grpc.ServerUnaryCall<unknown, unknown>,
            callback: grpc.sendUnaryData<unknown>,
          ) => {
            handled.push(call.request);
            callback({ code: grpc.status.UNAUTHENTICATED, details: 'no' });
          },
        } as grpc.UntypedServiceImplementation,
      },
    ],
    interceptors: [
      contextInterceptor,
      errorInterceptor({ domain: 'test.platform' }),
      utf8Interceptor,
      validationServerInterceptor({
        validators: {
          [OrderServiceService.createOrder.path]: (request: unknown) => {
            validated.push(request);
            return [];
          },
        },
      }),
    ],
  });
  client = new grpc.Client(server.address, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await server.stop();
});
beforeEach(() => {
  handled.length = 0;
  validated.length = 0;
});

function unary(path: string, request: Buffer): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(path, raw, decoded, request, (error) => resolve(error)),
  );
}

function violationsOf(error: grpc.ServiceError | null | undefined) {
  const status = statusFromMetadata(error?.metadata);
  return { errorInfo: status?.details.errorInfo, fields: status?.details.badRequest?.fieldViolations };
}

describe('a unary request with invalid UTF-8 in a string field', () => {
  it('is answered INVALID_ARGUMENT naming the field path, before validators and handlers', async () => {
    const error = await unary(
      OrderServiceService.createOrder.path,
      createOrder(utf8('a'), utf8('b'), invalid),
    );
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toBe('Invalid request: items[2].sku must be valid UTF-8');
    const { errorInfo, fields } = violationsOf(error);
    expect(errorInfo).toMatchObject({ reason: 'INVALID_UTF8', domain: 'test.platform', metadata: {} });
    expect(fields).toEqual([
      {
        field: 'items[2].sku',
        description: 'must be valid UTF-8',
        reason: 'INVALID_UTF8',
        localizedMessage: null,
      },
    ]);
    expect(validated).toEqual([]);
    expect(handled).toEqual([]);
  });

  it('names a field inside a oneof member message (AuthenticateRequest.password.password)', async () => {
    const credentials = message([1, utf8('ada@example.com')], [2, invalid]);
    const error = await unary(UserServiceService.authenticate.path, message([1, credentials]));
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error).fields?.[0]?.field).toBe('password.password');
    expect(handled).toEqual([]);
  });

  it('is refused also when the same field repeats and only a later occurrence is invalid', async () => {
    const error = await unary(OrderServiceService.cancelOrder.path, message([2, utf8('fine')], [2, invalid]));
    expect(violationsOf(error).fields?.[0]?.field).toBe('reason');
  });
});

describe('valid UTF-8', () => {
  it('passes unchanged, a legitimate U+FFFD and other scripts included', async () => {
    const reason = 'r\u{FFFD}sum\u00e9 \u{1F600} \u65e5\u672c';
    const error = await unary(
      OrderServiceService.cancelOrder.path,
      message([1, utf8('6f1c1a55-1d2e-4f6b-8a51-0c8f1d7c2b3a')], [2, utf8(reason)]),
    );
    expect(error).toBeNull();
    expect(handled).toEqual([{ orderId: '6f1c1a55-1d2e-4f6b-8a51-0c8f1d7c2b3a', reason }]);
  });

  it('leaves bytes and numbers unread: a valid request reaches the validator and the handler', async () => {
    const error = await unary(OrderServiceService.createOrder.path, createOrder(utf8('book-42')));
    expect(error).toBeNull();
    expect(validated).toHaveLength(1);
    expect(handled).toHaveLength(1);
  });
});

describe('a server-streaming request with invalid UTF-8', () => {
  it('ends the call INVALID_ARGUMENT before the handler', async () => {
    const error = await new Promise<grpc.ServiceError | undefined>((resolve) => {
      const call = client.makeServerStreamRequest(
        OrderServiceService.watchOrder.path,
        raw,
        decoded,
        message([1, invalid]),
      );
      call.on('data', () => undefined);
      call.on('error', resolve);
      call.on('end', () => resolve(undefined));
    });
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error)).toMatchObject({
      fields: [{ field: 'order_id' }],
      errorInfo: { metadata: {} },
    });
    expect(handled).toEqual([]);
  });
});

describe('a client stream with an invalid message', () => {
  it('ends at that message with INVALID_ARGUMENT, its index in ErrorInfo metadata messageIndex', async () => {
    const item = (sku: Uint8Array) => message([1, createOrder(sku)]);
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.makeClientStreamRequest(
        OrderServiceService.importOrders.path,
        raw,
        decoded,
        (failure) => resolve(failure),
      );
      call.write(item(utf8('a')));
      call.write(item(utf8('b')));
      call.write(item(invalid));
      call.write(item(utf8('d')));
      call.end();
    });
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const { errorInfo, fields } = violationsOf(error);
    expect(errorInfo?.metadata).toEqual({ messageIndex: '2' });
    expect(fields?.[0]?.field).toBe('order.items[0].sku');
    expect(handled).toHaveLength(2);
  });
});

describe('a bidi stream with an invalid message', () => {
  it('ends at that message, naming the oneof member', async () => {
    const error = await new Promise<grpc.ServiceError | undefined>((resolve) => {
      const call = client.makeBidiStreamRequest(OrderServiceService.trackOrders.path, raw, decoded);
      call.on('data', () => undefined);
      call.on('error', resolve);
      call.on('end', () => resolve(undefined));
      call.write(message([1, utf8('6f1c1a55-1d2e-4f6b-8a51-0c8f1d7c2b3a')]));
      call.write(message([2, invalid]));
    });
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(violationsOf(error)).toMatchObject({
      errorInfo: { metadata: { messageIndex: '1' } },
      fields: [{ field: 'unsubscribe_order_id' }],
    });
    expect(handled).toHaveLength(1);
  });
});

describe('utf8Checked', () => {
  it('is idempotent and keeps everything but the request deserializer', () => {
    const checked = utf8Checked(OrderServiceService);
    expect(utf8Checked(checked).getOrder.requestDeserialize).toBe(checked.getOrder.requestDeserialize);
    expect(isUtf8Checked(checked.getOrder.requestDeserialize)).toBe(true);
    expect(isUtf8Checked(OrderServiceService.getOrder.requestDeserialize)).toBe(false);
    expect(checked.getOrder.responseSerialize).toBe(OrderServiceService.getOrder.responseSerialize);
  });

  it('refuses a service no descriptor describes', () => {
    const { getOrder } = OrderServiceService;
    expect(() => utf8Checked({ nope: { ...getOrder, path: '/test.nope.v1.Nope/Get' } })).toThrow(
      /No descriptor describes \/test\.nope\.v1\.Nope\/Get/,
    );
  });
});
