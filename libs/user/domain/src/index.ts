// Public API of @platform/user-domain: the user service's logic, wired by apps/user-service.
export * from './credentials/index.js';
export * from './tokens/index.js';
export { Authenticator, type AuthenticatorOptions } from './users/authenticator.js';
export { userAccess } from './users/user-access.js';
export { UserAccounts, type NewAccount, type UserAccountsOptions } from './users/user-accounts.js';
export { accountRoleOf, roleMessageOf, toUserMessage, userResourceType } from './users/user-message.js';
export { migrateUserDatabase, userMigrationsDir } from './users/user-migrations.js';
export { isUserId, userFieldLimits, userRequestValidators } from './users/user-request-validators.js';
export {
  userSchema,
  type AccountRole,
  type AccountStatus,
  type UserRow,
  type UserSchema,
} from './users/user-schema.js';
export { orderStatsGroup, orderStatsProjection } from './events/order-stats-projection.js';
