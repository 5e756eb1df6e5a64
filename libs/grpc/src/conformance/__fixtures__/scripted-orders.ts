// The four call kinds of platform.order.v1.OrderService, scripted by request metadata and
// recording what each handler saw: the conformance matrix serves them from plain grpc-js
// (orderServiceImplementation) and from a NestJS controller (ScriptedOrderController), so both
// runtimes answer alike and every interceptor can be observed from the handler's side.
import {
  Metadata,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { trace, context as otelContext } from '@opentelemetry/api';
import {
  GetOrderResponse,
  ImportOrdersResponse,
  Order,
  OrderStatus,
  TrackOrdersResponse,
  WatchOrderResponse,
  type GetOrderRequest,
  type ImportOrdersRequest,
  type OrderServiceServer,
  type TrackOrdersRequest,
  type WatchOrderRequest,
} from '@platform/proto';
import { NotFoundError, remainingMs, UnavailableError } from '@platform/core';
import type { MethodType } from '../../call/method-info.js';
import { currentCall } from '../../server/context/call-context.js';

/** Request metadata naming a call, so its handler visits and log lines can be found. */
export const requestIdKey = 'x-request-id';
/** Request metadata choosing how the handler answers. */
export const scenarioKey = 'x-scenario';

/**
 * How a handler answers:
 * - `ok`: the kind's normal answer (see {@link okMessages});
 * - `not-found`: a typed NotFoundError (reason ORDER_NOT_FOUND, ResourceInfo);
 * - `crash`: a plain Error, as a bug would throw;
 * - `unavailable-once`: UNAVAILABLE on the first attempt, then `ok` (retries tell attempts apart
 *   by `grpc-previous-rpc-attempts`);
 * - `hang`: `ok`, but only once {@link ScriptedOrders.releaseAll} was called.
 */
export type Scenario = 'ok' | 'not-found' | 'crash' | 'unavailable-once' | 'hang';

/** Response messages of a successful call of each kind. */
export const okMessages: Record<MethodType, number> = {
  unary: 1,
  server_stream: 3,
  client_stream: 1,
  bidi_stream: 2,
};

/** What a handler saw of its call, read after an async hop (the call context must survive it). */
export interface HandlerVisit {
  readonly kind: MethodType;
  readonly requestId: string;
  /** The method type of the call context, or `undefined` when the handler ran outside one. */
  readonly contextType: MethodType | undefined;
  /** `remainingMs()` in the handler. */
  readonly remainingMs: number;
  /** The effective deadline of the call context (epoch ms), server default included. */
  readonly contextDeadline: number | undefined;
  /** The deadline the client sent (grpc-timeout), epoch ms; `undefined` when it sent none. */
  readonly sentDeadline: number | undefined;
  readonly subject: string | undefined;
  /** Ids of the OpenTelemetry span active in the handler. */
  readonly activeTraceId: string | undefined;
  readonly activeSpanId: string | undefined;
  /** 1 + the `grpc-previous-rpc-attempts` the client sent. */
  readonly attempt: number;
  readonly authorization: string | undefined;
}

export function orderOf(id: string): Order {
  return Order.create({
    id,
    userId: 'user-1',
    requestId: `request-${id}`,
    items: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: '100' }],
    currencyCode: 'EUR',
    totalMinor: '100',
    status: OrderStatus.ORDER_STATUS_PENDING,
    version: '1',
    createTime: null,
    updateTime: null,
    cancelReason: '',
  });
}

function text(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : undefined;
}

function epochMs(deadline: Date | number): number | undefined {
  const value = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(value) ? value : undefined;
}

/** The handlers' shared script and record; one per server. */
export class ScriptedOrders {
  readonly visits: HandlerVisit[] = [];
  #waiters: { requestId: string; resolve: (visit: HandlerVisit) => void }[] = [];
  #releases: (() => void)[] = [];

  visitsOf(requestId: string): HandlerVisit[] {
    return this.visits.filter((visit) => visit.requestId === requestId);
  }

  /** Resolves with the first visit of the call once its handler ran. */
  whenVisited(requestId: string): Promise<HandlerVisit> {
    const visit = this.visitsOf(requestId)[0];
    if (visit) return Promise.resolve(visit);
    return new Promise((resolve) => this.#waiters.push({ requestId, resolve }));
  }

  /** Lets every `hang` call answer. */
  releaseAll(): void {
    for (const release of this.#releases.splice(0)) release();
  }

  /**
   * Records the visit and decides the answer: resolves with the error to fail with, or
   * `undefined` to answer normally.
   */
  async handle(
    kind: MethodType,
    metadata: Metadata,
    sentDeadline: Date | number,
  ): Promise<Error | undefined> {
    await new Promise((resolve) => setImmediate(resolve));
    const call = currentCall();
    const span = trace.getSpan(otelContext.active())?.spanContext();
    const visit: HandlerVisit = {
      kind,
      requestId: text(metadata, requestIdKey) ?? '',
      contextType: call?.method.type,
      remainingMs: remainingMs(),
      contextDeadline: call?.deadline,
      sentDeadline: epochMs(sentDeadline),
      subject: call?.principal?.subject,
      activeTraceId: span?.traceId,
      activeSpanId: span?.spanId,
      attempt: 1 + Number(text(metadata, 'grpc-previous-rpc-attempts') ?? 0),
      authorization: text(metadata, 'authorization'),
    };
    this.visits.push(visit);
    for (const waiter of this.#waiters.filter((candidate) => candidate.requestId === visit.requestId)) {
      waiter.resolve(visit);
    }
    this.#waiters = this.#waiters.filter((waiter) => waiter.requestId !== visit.requestId);

    switch ((text(metadata, scenarioKey) ?? 'ok') as Scenario) {
      case 'not-found':
        return new NotFoundError(
          'Order o-1 not found',
          { resourceType: 'platform.order.v1.Order', resourceName: 'o-1' },
          { reason: 'ORDER_NOT_FOUND' },
        );
      case 'crash':
        return new Error('Connection to the database was reset');
      case 'unavailable-once':
        return visit.attempt === 1
          ? new UnavailableError('Order store restarting', { reason: 'STORE_RESTARTING' })
          : undefined;
      case 'hang':
        await new Promise<void>((resolve) => this.#releases.push(resolve));
        return undefined;
      case 'ok':
        return undefined;
    }
  }
}

type Handlers = Pick<OrderServiceServer, 'getOrder' | 'watchOrder' | 'importOrders' | 'trackOrders'>;

/** Plain grpc-js handlers over the script: errors go to the callback or the stream's 'error'. */
export function orderServiceImplementation(scripted: ScriptedOrders): Handlers {
  return {
    getOrder: (call: ServerUnaryCall<GetOrderRequest, GetOrderResponse>, callback) => {
      void scripted
        .handle('unary', call.metadata, call.getDeadline())
        .then((failure) =>
          failure
            ? callback(failure)
            : callback(null, GetOrderResponse.create({ order: orderOf(call.request.orderId) })),
        );
    },
    watchOrder: (call: ServerWritableStream<WatchOrderRequest, WatchOrderResponse>) => {
      void scripted.handle('server_stream', call.metadata, call.getDeadline()).then((failure) => {
        if (failure) return void call.emit('error', failure);
        for (let index = 0; index < okMessages.server_stream; index += 1) {
          call.write(WatchOrderResponse.create({ order: orderOf(call.request.orderId) }));
        }
        call.end();
      });
    },
    importOrders: (
      call: ServerReadableStream<ImportOrdersRequest, ImportOrdersResponse>,
      callback: sendUnaryData<ImportOrdersResponse>,
    ) => {
      const outcome = scripted.handle('client_stream', call.metadata, call.getDeadline());
      let created = 0;
      call.on('data', () => (created += 1));
      call.on('end', () => {
        void outcome.then((failure) =>
          failure
            ? callback(failure)
            : callback(
                null,
                ImportOrdersResponse.create({
                  createdCount: created,
                  duplicateCount: 0,
                  failedCount: 0,
                  results: [],
                }),
              ),
        );
      });
    },
    trackOrders: (call: ServerDuplexStream<TrackOrdersRequest, TrackOrdersResponse>) => {
      const outcome = scripted.handle('bidi_stream', call.metadata, call.getDeadline());
      call.on('data', (request: TrackOrdersRequest) => {
        const orderId = request.subscribeOrderId ?? '';
        void outcome.then(
          (failure) =>
            failure || call.write(TrackOrdersResponse.create({ orderId, order: orderOf(orderId) })),
        );
      });
      call.on('end', () => {
        void outcome.then((failure) => (failure ? call.emit('error', failure) : call.end()));
      });
    },
  };
}
