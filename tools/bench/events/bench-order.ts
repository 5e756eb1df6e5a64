import { Order, OrderStatus } from '@platform/proto';
import { randomUUID } from 'node:crypto';

/** An order as OrderCreated carries it, shaped like one CreateOrder makes (two items, EUR). */
export function benchOrder(id: string = randomUUID(), userId: string = randomUUID()): Order {
  const now = { seconds: String(Math.floor(Date.now() / 1000)), nanos: 0 };
  return Order.create({
    id,
    userId,
    requestId: randomUUID(),
    items: [
      { sku: 'sku-apple', quantity: 3, unitPriceMinor: '125' },
      { sku: 'sku-pear', quantity: 1, unitPriceMinor: '250' },
    ],
    currencyCode: 'EUR',
    totalMinor: '625',
    status: OrderStatus.ORDER_STATUS_PENDING,
    version: '1',
    createTime: now,
    updateTime: now,
    cancelReason: '',
  });
}
