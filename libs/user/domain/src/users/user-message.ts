import { Role, toTimestamp, User, UserStatus } from '@platform/proto';
import type { AccountRole, UserRow } from './user-schema.js';

/** The ResourceInfo type of users in errors. */
export const userResourceType = 'platform.user.v1.User';

const roleMessages: Record<AccountRole, Role> = { user: Role.ROLE_USER, admin: Role.ROLE_ADMIN };

/** The API role of a stored role. */
export function roleMessageOf(role: AccountRole): Role {
  return roleMessages[role];
}

/** The stored role of an API role; `undefined` for roles an account cannot hold. */
export function accountRoleOf(role: Role | number | null | undefined): AccountRole | undefined {
  if (role === Role.ROLE_USER) return 'user';
  if (role === Role.ROLE_ADMIN) return 'admin';
  return undefined;
}

/** An account as the API shows it: never its password hash or deactivation reason. */
export function toUserMessage(row: UserRow): User {
  return User.create({
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: roleMessageOf(row.role),
    status: row.status === 'active' ? UserStatus.USER_STATUS_ACTIVE : UserStatus.USER_STATUS_DEACTIVATED,
    createTime: toTimestamp(row.createTime),
    updateTime: toTimestamp(row.updateTime),
    deactivateTime: row.deactivateTime ? toTimestamp(row.deactivateTime) : null,
  });
}
