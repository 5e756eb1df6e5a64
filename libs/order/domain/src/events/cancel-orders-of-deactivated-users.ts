import { on, type HandlerBinding } from '@platform/events';
import { userDeactivated, type UserDeactivated } from '@platform/proto';
import type { OrderBook } from '../orders/order-book.js';

/** The order service's consumer group of user events. */
export const userDeactivationsGroup = 'order-service.user-deactivations';

/**
 * UserDeactivated -> the user's standing becomes deactivated (CreateOrder refuses them from
 * then on) and every PENDING order of theirs is cancelled (each emits OrderCancelled), in the
 * transaction that records the event in the inbox: applied once, however often delivered.
 */
export function cancelOrdersOfDeactivatedUsers(
  book: OrderBook,
  onCancelled?: (userId: string, orderIds: readonly string[]) => void,
): HandlerBinding<UserDeactivated> {
  return on(userDeactivated, async (event, context) => {
    if (!context.tx)
      throw new Error('cancelling the orders of a deactivated user needs the inbox transaction');
    const reason = `user deactivated${event.reason ? `: ${event.reason}` : ''}`;
    const cancelled = await book.deactivateUser(context.tx, event.userId, reason);
    onCancelled?.(event.userId, cancelled);
  });
}
