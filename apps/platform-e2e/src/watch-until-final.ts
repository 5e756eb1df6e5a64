import { status as GrpcStatus } from '@grpc/grpc-js';
import { bearer } from '@platform/grpc';
import { WatchOrderRequest, type Order, type OrderServiceClient, type OrderStatus } from '@platform/proto';

/**
 * Follows WatchOrder until the order is final (the server ends the stream) or `timeoutMs`,
 * returning the statuses seen; `onStatus` gets each as it arrives. A stream the client side
 * cancelled ends with what it saw; any other error rejects.
 */
export function watchUntilFinal(
  client: OrderServiceClient,
  orderId: string,
  token: string,
  timeoutMs: number,
  onStatus: (status: OrderStatus) => void = () => undefined,
): Promise<OrderStatus[]> {
  return new Promise<OrderStatus[]>((resolve, reject) => {
    const seen: OrderStatus[] = [];
    const call = client.watchOrder(WatchOrderRequest.create({ orderId }), bearer(token), {
      deadline: Date.now() + timeoutMs,
    });
    call.on('data', (response: { order?: Order | null }) => {
      if (!response.order) return;
      seen.push(response.order.status);
      onStatus(response.order.status);
    });
    call.on('error', (error: { code?: number }) =>
      error.code === GrpcStatus.CANCELLED ? resolve(seen) : reject(error),
    );
    call.on('end', () => resolve(seen));
  });
}
