// Places many orders through CreateOrder, as several users at once: the load of the fault suites.
import { status } from '@grpc/grpc-js';
import { CreateOrderRequest, type CreateOrderResponse } from '@platform/proto';
import { randomBytes } from 'node:crypto';
import { as, type Caller, type PlatformStack } from './platform-stack.js';

export interface PlacedOrder {
  readonly id: string;
  readonly userId: string;
  readonly currency: string;
  readonly totalMinor: bigint;
}

const currencies = ['EUR', 'USD', 'JPY'];

/**
 * Places `count` orders spread over `callers` (`concurrency` calls in flight) and returns the
 * committed ones (CreateOrder answered OK). Amounts vary, some beyond 2^53 in total per user, so
 * the projection's int64 sums are checked exactly. `onPlaced` sees the running count.
 */
export async function placeOrders(
  stack: PlatformStack,
  callers: readonly Caller[],
  count: number,
  options: { concurrency?: number; onPlaced?: (placed: number) => void | Promise<void> } = {},
): Promise<PlacedOrder[]> {
  const placed: PlacedOrder[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const caller = callers[index % callers.length] as Caller;
      const currency = currencies[index % currencies.length] as string;
      const unitPriceMinor = BigInt(1 + (index % 97)) * (index % 50 === 0 ? 3_000_000_000_000n : 1n);
      const { order } = await createWithRetries(
        stack,
        caller,
        CreateOrderRequest.create({
          requestId: `load-${randomBytes(8).toString('hex')}`,
          userId: '',
          currencyCode: currency,
          items: [
            {
              sku: `sku-${index % 13}`,
              quantity: 1 + (index % 3),
              unitPriceMinor: unitPriceMinor.toString(),
            },
          ],
        }),
      );
      if (!order) throw new Error('CreateOrder answered without an order');
      placed.push({ id: order.id, userId: caller.userId, currency, totalMinor: BigInt(order.totalMinor) });
      await options.onPlaced?.(placed.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return placed;
}

const retried = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

/**
 * CreateOrder, retried with the same request id while a service the test stopped is away (the
 * request id makes the retry safe): what a well-behaved client does.
 */
async function createWithRetries(
  stack: PlatformStack,
  caller: Caller,
  request: CreateOrderRequest,
): Promise<CreateOrderResponse> {
  const giveUp = Date.now() + 90_000;
  for (;;) {
    try {
      return await stack.orders.createOrder(request, { ...as(caller), deadline: Date.now() + 10_000 });
    } catch (error) {
      const code = (error as { code?: number }).code ?? -1;
      if (!retried.has(code) || Date.now() > giveUp) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
