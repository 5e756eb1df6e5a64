export { auditUnimplemented } from './audit-unimplemented.js';
export type {
  UnimplementedAuditOptions,
  UnimplementedLogger,
  UnimplementedProbe,
} from './unimplemented-options.js';
