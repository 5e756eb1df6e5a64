import { PermissionDeniedError, type Principal } from '@platform/core';

/**
 * Who may do what with accounts. Decided from the token alone, before any query, so a refusal
 * says nothing about whether the account exists.
 * - read an account or its order statistics: the user themselves, an admin, or a service
 *   (order-service checks the buyer exists);
 * - list accounts, change a role, deactivate: admins;
 * - change a display name: the user themselves or an admin.
 */
export const userAccess = {
  isAdmin(principal: Principal): boolean {
    return principal.roles.includes('admin');
  },

  assertCanRead(principal: Principal, userId: string): void {
    if (principal.subject === userId && principal.kind === 'user') return;
    if (userAccess.isAdmin(principal) || principal.kind === 'service') return;
    throw denied('Only the user themselves, an admin or a service may read this account');
  },

  assertAdmin(principal: Principal, action: string): void {
    if (!userAccess.isAdmin(principal)) throw denied(`Only an admin may ${action}`);
  },

  assertCanUpdate(principal: Principal, userId: string, changesRole: boolean): void {
    if (userAccess.isAdmin(principal)) return;
    if (changesRole) throw denied('Only an admin may change a role');
    if (principal.subject !== userId || principal.kind !== 'user') {
      throw denied('Only the user themselves or an admin may change this account');
    }
  },
};

function denied(message: string): PermissionDeniedError {
  return new PermissionDeniedError(message, { reason: 'USER_ACCESS_DENIED' });
}
