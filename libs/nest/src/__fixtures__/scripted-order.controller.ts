// The NestJS runtime of @platform/grpc's conformance matrix: a controller of the ts-proto
// OrderService definition answering exactly as orderServiceImplementation does, from the same
// script.
import 'reflect-metadata';
import type { Metadata } from '@grpc/grpc-js';
import { Inject } from '@nestjs/common';
import {
  GetOrderResponse,
  ImportOrdersResponse,
  OrderServiceService,
  TrackOrdersResponse,
  WatchOrderResponse,
  type GetOrderRequest,
  type ImportOrdersRequest,
  type TrackOrdersRequest,
  type WatchOrderRequest,
} from '@platform/proto';
import {
  concat,
  concatMap,
  count,
  EMPTY,
  from,
  map,
  mergeMap,
  of,
  range,
  throwError,
  type Observable,
} from 'rxjs';
import { GrpcService } from '../grpc-service.decorator.js';
import type { NestController } from '../nest-controller.js';
import { okMessages, orderOf, ScriptedOrders } from '@platform/grpc/conformance';

type Handled = Pick<
  NestController<typeof OrderServiceService>,
  'getOrder' | 'watchOrder' | 'importOrders' | 'trackOrders'
>;

/** What the handlers use of the grpc-js call Nest hands them. */
interface GrpcCall {
  getDeadline(): Date | number;
}

// Nest hands every handler (request or request stream, metadata, grpc-js call).
@GrpcService(OrderServiceService)
export class ScriptedOrderController implements Handled {
  constructor(@Inject(ScriptedOrders) private readonly scripted: ScriptedOrders) {}

  async getOrder(request: GetOrderRequest, metadata: Metadata, call: GrpcCall): Promise<GetOrderResponse> {
    const failure = await this.scripted.handle('unary', metadata, call.getDeadline());
    if (failure) throw failure;
    return GetOrderResponse.create({ order: orderOf(request.orderId) });
  }

  watchOrder(request: WatchOrderRequest, metadata: Metadata, call: GrpcCall): Observable<WatchOrderResponse> {
    return from(this.scripted.handle('server_stream', metadata, call.getDeadline())).pipe(
      mergeMap((failure) =>
        failure
          ? throwError(() => failure)
          : range(0, okMessages.server_stream).pipe(
              map(() => WatchOrderResponse.create({ order: orderOf(request.orderId) })),
            ),
      ),
    );
  }

  importOrders(
    requests: Observable<ImportOrdersRequest>,
    metadata: Metadata,
    call: GrpcCall,
  ): Observable<ImportOrdersResponse> {
    const outcome = this.scripted.handle('client_stream', metadata, call.getDeadline());
    return requests.pipe(
      count(),
      mergeMap((created) =>
        from(outcome).pipe(
          mergeMap((failure) =>
            failure ? throwError(() => failure) : [ImportOrdersResponse.create({ createdCount: created })],
          ),
        ),
      ),
    );
  }

  trackOrders(
    requests: Observable<TrackOrdersRequest>,
    metadata: Metadata,
    call: GrpcCall,
  ): Observable<TrackOrdersResponse> {
    const outcome = this.scripted.handle('bidi_stream', metadata, call.getDeadline());
    // Nest replays the request stream only to a subscriber that is there when the handler
    // returns: subscribe at once, and let each answer wait for the outcome.
    const answers = requests.pipe(
      concatMap((request) =>
        from(outcome).pipe(
          mergeMap((failure) => {
            const orderId = request.subscribeOrderId ?? '';
            return failure ? EMPTY : of(TrackOrdersResponse.create({ orderId, order: orderOf(orderId) }));
          }),
        ),
      ),
    );
    const end = from(outcome).pipe(mergeMap((failure) => (failure ? throwError(() => failure) : EMPTY)));
    return concat(answers, end);
  }
}
