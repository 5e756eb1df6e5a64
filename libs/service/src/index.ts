// Public API of @platform/service: the service runtime. One start sequence every service shares
// (startService), its `main` (runService) and `migrate` command (migrateService), the ordered
// close of what a process opened (Closers), and the service principal's sign-in (ServiceSignIn).
export { accessTokenVerifier, type AccessTokenSettings } from './access-token-verifier.js';
export { Closers } from './closers.js';
export { migrateService } from './migrate-service.js';
export {
  runService,
  type RunServiceOptions,
  type ServiceProcess,
  type StoppableService,
} from './run-service.js';
export {
  migrateServiceDatabase,
  openDatabaseOf,
  openServiceDatabase,
  type DatabaseConfig,
  type DatabaseLocation,
  type DatabaseOwner,
  type ServiceDatabase,
  type ServiceMigration,
} from './service-database.js';
export {
  grpcAddressOf,
  rateLimitOf,
  servingVariables,
  type ServingSettings,
  type ServingVariableDefaults,
  type ServingVariables,
} from './serving-variables.js';
export { ServiceSignIn, type ServiceSignInConfig, type ServiceSignInOptions } from './service-sign-in.js';
export {
  startService,
  type RunningService,
  type RunningWorker,
  type ServedGrpc,
  type ServiceConfig,
  type ServiceRuntime,
  type ServingConfig,
  type ServingDefinition,
  type ServingRuntime,
  type StartServiceOptions,
  type Wired,
  type WorkerDefinition,
} from './start-service.js';
