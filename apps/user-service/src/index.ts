// apps/user-service as a library: what tests and the dev runner start in-process.
export type {
  DatabaseLocation as UserDatabaseLocation,
  StartServiceOptions as StartUserServiceOptions,
} from '@platform/service';
export { openUserDatabase, startUserService, userService, type RunningUserService } from './user-service.js';
export { userServiceConfig, type UserServiceConfig } from './user-service.config.js';
