import type { StoredOrderStatus } from './order-schema.js';

/**
 * The order lifecycle: PENDING -> CONFIRMED (by fulfilment) or PENDING -> CANCELLED. Confirmed
 * and cancelled orders are final: a confirmed order is being fulfilled and can no longer be
 * cancelled, a cancelled one never comes back. Repeating a transition an order already made
 * (confirming a confirmed order) is a no-op, so both calls are idempotent.
 */
export const orderTransitions: Readonly<Record<StoredOrderStatus, readonly StoredOrderStatus[]>> = {
  pending: ['confirmed', 'cancelled'],
  confirmed: [],
  cancelled: [],
};

/** Whether an order in `status` has reached the end of its lifecycle (streams end there). */
export function isFinalStatus(status: StoredOrderStatus): boolean {
  return orderTransitions[status].length === 0;
}

/** What moving an order from `from` to `to` means. */
export function transitionOf(
  from: StoredOrderStatus,
  to: StoredOrderStatus,
): 'apply' | 'already' | 'refused' {
  if (from === to) return 'already';
  return orderTransitions[from].includes(to) ? 'apply' : 'refused';
}
