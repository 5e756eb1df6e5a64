import { InvalidArgumentError, PermissionDeniedError, type Principal } from '@platform/core';
import type { OrderRow } from './order-schema.js';

function isAdmin(principal: Principal): boolean {
  return principal.roles.includes('admin');
}

/**
 * Who may do what with orders:
 * - users create, read, watch and cancel their own orders; another user's order is NOT_FOUND
 *   to them (so order ids cannot be probed);
 * - admins do it for anyone, and may create an order for another user;
 * - services (the platform's workers) read any order, create for a named user, and are the only
 *   ones who confirm.
 */
export const orderAccess = {
  /** The owner of a new order: the caller, or `requestedUserId` for admins and services. */
  ownerOf(principal: Principal, requestedUserId: string): string {
    if (principal.kind === 'service') {
      if (!requestedUserId) {
        throw new InvalidArgumentError("A service must name the order's user", [
          { field: 'user_id', description: 'is required when a service creates an order' },
        ]);
      }
      return requestedUserId;
    }
    if (!requestedUserId || requestedUserId === principal.subject) return principal.subject;
    if (isAdmin(principal)) return requestedUserId;
    throw new PermissionDeniedError('Only an admin may create an order for another user', {
      reason: 'ORDER_ACCESS_DENIED',
    });
  },

  /** Whether the caller may see (read, watch, cancel) this order. */
  canSee(principal: Principal, order: Pick<OrderRow, 'userId'>): boolean {
    if (principal.kind === 'service' || isAdmin(principal)) return true;
    return order.userId === principal.subject;
  },

  /** Whose orders a list may show: `undefined` for everyone's (admins, services). */
  listScopeOf(principal: Principal, requestedUserId: string): string | undefined {
    if (principal.kind === 'service' || isAdmin(principal)) return requestedUserId || undefined;
    if (requestedUserId && requestedUserId !== principal.subject) {
      throw new PermissionDeniedError("Only an admin may list another user's orders", {
        reason: 'ORDER_ACCESS_DENIED',
      });
    }
    return principal.subject;
  },

  assertCanConfirm(principal: Principal): void {
    if (principal.kind !== 'service') {
      throw new PermissionDeniedError('Only a service may confirm orders', {
        reason: 'ORDER_CONFIRM_DENIED',
      });
    }
  },
};
