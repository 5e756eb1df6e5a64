export { HealthService } from './health-service.js';
export type {
  HealthChange,
  HealthCheck,
  HealthCheckFailure,
  HealthCheckResult,
  HealthServiceOptions,
  ServingStatus,
} from './health-options.js';
