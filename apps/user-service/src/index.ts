// apps/user-service as a library: what tests and the dev runner start in-process.
export {
  startUserService,
  type RunningUserService,
  type StartUserServiceOptions,
} from './start-user-service.js';
export { userServiceConfig, type UserServiceConfig } from './user-service.config.js';
export type { UserDatabaseLocation } from './open-user-database.js';
