import { GetOrderResponse, OrderStatus, type GetOrderRequest } from '@platform/proto';

// The one handler every benchmark variant serves, so only the stack around it differs.

const order: GetOrderResponse = GetOrderResponse.create({
  order: {
    id: '6f1c1a55-1d2e-4f6b-8a51-0c8f1d7c2b3a',
    userId: '0b0f1f5e-2c47-4a39-8d6e-5f3b3f2d9a10',
    requestId: 'bench-1',
    items: [
      { sku: 'SKU-1', quantity: 2, unitPriceMinor: '1250' },
      { sku: 'SKU-2', quantity: 1, unitPriceMinor: '499' },
    ],
    currencyCode: 'EUR',
    totalMinor: '2999',
    status: OrderStatus.ORDER_STATUS_PENDING,
    version: '1',
    createTime: { seconds: '1767225600', nanos: 0 },
    updateTime: { seconds: '1767225600', nanos: 0 },
    cancelReason: '',
  },
});

export function getOrder(request: GetOrderRequest): GetOrderResponse {
  return request.orderId === order.order?.id || !order.order
    ? order
    : GetOrderResponse.create({ order: { ...order.order, id: request.orderId } });
}

/** Prints the line the benchmark runner waits for. */
export function announce(port: number, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ ready: true, port, ...extra })}\n`);
}
