import type { Metadata, ServerDuplexStream, ServerReadableStream, ServerWritableStream } from '@grpc/grpc-js';
import { Inject } from '@nestjs/common';
import { requirePrincipal } from '@platform/grpc';
import { GrpcService, type NestController } from '@platform/nest';
import {
  CancelOrderResponse,
  ConfirmOrderResponse,
  CreateOrderResponse,
  GetOrderResponse,
  OrderServiceService,
  type CancelOrderRequest,
  type ConfirmOrderRequest,
  type CreateOrderRequest,
  type GetOrderRequest,
  type ImportOrdersRequest,
  type ImportOrdersResponse,
  type ListOrdersRequest,
  type ListOrdersResponse,
  type TrackOrdersRequest,
  type TrackOrdersResponse,
  type WatchOrderRequest,
  type WatchOrderResponse,
} from '@platform/proto';
import { importOrders, trackOrders, watchOrder } from '@platform/order-domain';
import type { Observable } from 'rxjs';
import { OrderDomain } from './order-domain.js';

/**
 * platform.order.v1.OrderService: each method hands the request and the caller to the domain.
 * Requests arrive validated and authenticated (the server chain); stream handlers get the
 * grpc-js call too, for flow control.
 */
@GrpcService(OrderServiceService)
export class OrderController implements NestController<typeof OrderServiceService> {
  constructor(@Inject(OrderDomain) private readonly orders: OrderDomain) {}

  async createOrder(request: CreateOrderRequest): Promise<CreateOrderResponse> {
    return CreateOrderResponse.create({
      order: (await this.orders.book.create(requirePrincipal(), request)).order,
    });
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return GetOrderResponse.create({
      order: await this.orders.book.get(requirePrincipal(), request.orderId),
    });
  }

  listOrders(request: ListOrdersRequest): Promise<ListOrdersResponse> {
    return this.orders.book.list(requirePrincipal(), request);
  }

  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    return CancelOrderResponse.create({
      order: await this.orders.book.cancel(requirePrincipal(), request.orderId, request.reason),
    });
  }

  async confirmOrder(request: ConfirmOrderRequest): Promise<ConfirmOrderResponse> {
    return ConfirmOrderResponse.create({
      order: await this.orders.book.confirm(requirePrincipal(), request.orderId),
    });
  }

  watchOrder(
    request: WatchOrderRequest,
    _metadata: Metadata,
    call: ServerWritableStream<WatchOrderRequest, WatchOrderResponse>,
  ): Observable<WatchOrderResponse> {
    return watchOrder(this.orders, requirePrincipal(), request.orderId, call);
  }

  importOrders(
    requests: Observable<ImportOrdersRequest>,
    _metadata: Metadata,
    call: ServerReadableStream<ImportOrdersRequest, ImportOrdersResponse>,
  ): Observable<ImportOrdersResponse> {
    return importOrders(this.orders, requirePrincipal(), requests, call, this.orders.importOptions);
  }

  trackOrders(
    requests: Observable<TrackOrdersRequest>,
    _metadata: Metadata,
    call: ServerDuplexStream<TrackOrdersRequest, TrackOrdersResponse>,
  ): Observable<TrackOrdersResponse> {
    return trackOrders(this.orders, requirePrincipal(), requests, call, this.orders.trackOptions);
  }
}
