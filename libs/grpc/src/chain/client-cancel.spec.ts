// A client that cancels a stream midway: every streaming kind is counted and logged CANCELLED
// by the server chain, even when the handler answers a half-close at once (as NestJS stream
// handlers do). The client resets as grpc-go does (RST_STREAM alone), and grpc-js hands the
// end of a reset stream's data to the server as a half-close before it reports the cancel.
import * as grpc from '@grpc/grpc-js';
import { createMetricsRegistry } from '@platform/observability';
import {
  ImportOrdersRequest,
  ImportOrdersResponse,
  OrderServiceService,
  TrackOrdersRequest,
  TrackOrdersResponse,
  WatchOrderRequest,
  WatchOrderResponse,
} from '@platform/proto';
import { openResettableCall, startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodType } from '../call/method-info.js';
import { captureLogger, counterValue, labelsOf, methodOfKind } from '../conformance/__fixtures__/observed.js';
import { createServerChain } from './server-chain.js';

const registry = createMetricsRegistry({ collectDefaultMetrics: false });
const log = captureLogger('client-cancel-spec');
/** Half-closes the handlers saw, by method. */
const halfCloses: string[] = [];
/** Resolved when a client-stream handler received its first message. */
let importReceived: () => void = () => undefined;

let server: RunningGrpcServer;

beforeAll(async () => {
  server = await startGrpcServer({
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          watchOrder: (call: grpc.ServerWritableStream<WatchOrderRequest, WatchOrderResponse>) => {
            call.write(WatchOrderResponse.create({ order: null }));
          },
          importOrders: (
            call: grpc.ServerReadableStream<ImportOrdersRequest, ImportOrdersResponse>,
            callback: grpc.sendUnaryData<ImportOrdersResponse>,
          ) => {
            call.on('data', () => importReceived());
            call.on('end', () => {
              halfCloses.push('ImportOrders');
              callback(
                null,
                ImportOrdersResponse.create({
                  createdCount: 1,
                  duplicateCount: 0,
                  failedCount: 0,
                  results: [],
                }),
              );
            });
          },
          trackOrders: (call: grpc.ServerDuplexStream<TrackOrdersRequest, TrackOrdersResponse>) => {
            call.on('data', (request: TrackOrdersRequest) =>
              call.write(
                TrackOrdersResponse.create({ orderId: request.subscribeOrderId ?? '', order: null }),
              ),
            );
            call.on('end', () => {
              halfCloses.push('TrackOrders');
              call.end();
            });
          },
        } as grpc.UntypedServiceImplementation,
      },
    ],
    interceptors: createServerChain({
      errors: { domain: 'cancel.platform' },
      metrics: { registry },
      logging: { logger: log.logger },
      deadline: false,
    }),
  });
});

afterAll(() => server.stop());

/** Opens a call of the kind, resets it once the server is known to be in it. */
async function cancelMidway(kind: Exclude<MethodType, 'unary'>): Promise<void> {
  const call = openResettableCall(server.address, `/platform.order.v1.OrderService/${methodOfKind[kind]}`);
  if (kind === 'server_stream') {
    call.send(WatchOrderRequest.encode(WatchOrderRequest.create({ orderId: 'o-1' })).finish());
    call.halfClose();
    await call.nextMessage();
  } else if (kind === 'client_stream') {
    const received = new Promise<void>((resolve) => (importReceived = resolve));
    call.send(ImportOrdersRequest.encode(ImportOrdersRequest.create({ order: null })).finish());
    await received;
  } else {
    call.send(TrackOrdersRequest.encode(TrackOrdersRequest.create({ subscribeOrderId: 'o-1' })).finish());
    await call.nextMessage();
  }
  await call.reset();
}

const handled = (kind: MethodType, code: string) =>
  counterValue(registry, 'grpc_server_handled_total', { ...labelsOf(kind), grpc_code: code });

describe.each([
  ['server stream (WatchOrder)', 'server_stream'],
  ['client stream (ImportOrders)', 'client_stream'],
  ['bidi (TrackOrders)', 'bidi_stream'],
] as const)('a %s the client cancels midway', (_name, kind) => {
  it('is counted and logged CANCELLED, and its handler sees no half-close', async () => {
    const linesOf = () => log.lines.filter((line) => line['grpc.method'] === methodOfKind[kind]);
    await cancelMidway(kind);
    // The line is written when the server chain ends the call.
    await expect.poll(() => linesOf().length, { timeout: 5_000 }).toBe(1);

    expect(linesOf()).toEqual([
      expect.objectContaining({ msg: 'finished call', 'grpc.code': 'CANCELLED', 'grpc.type': kind }),
    ]);
    expect(await handled(kind, 'CANCELLED')).toBe(1);
    expect(await handled(kind, 'OK')).toBe(0);
    expect(halfCloses).toEqual([]);
  });
});
