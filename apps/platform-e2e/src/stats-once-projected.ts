import { bearer, type PromiseClient } from '@platform/grpc';
import { GetUserOrderStatsRequest, type UserOrderStats, type UserServiceClient } from '@platform/proto';

/**
 * Polls GetUserOrderStats until the projection counted `orders` orders, each confirmed or
 * cancelled (the caller waited for them to be final: this is the projection's lag). After
 * `settleMs` the counted orders are enough (the worker may be away); none counted by then fails.
 */
export async function statsOnceProjected(
  users: PromiseClient<UserServiceClient>,
  userId: string,
  token: string,
  orders: number,
  settleMs = 10_000,
): Promise<UserOrderStats> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const { stats } = await users.getUserOrderStats(GetUserOrderStatsRequest.create({ userId }), {
      metadata: bearer(token),
    });
    const counted = stats !== null && stats !== undefined && Number(stats.orderCount) >= orders;
    const settled = counted && Number(stats.confirmedCount) + Number(stats.cancelledCount) >= orders;
    if (stats && (settled || (counted && Date.now() > deadline))) return stats;
    if (Date.now() > deadline)
      throw new Error(`the order statistics did not reach ${orders} orders in ${settleMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
