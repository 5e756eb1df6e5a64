import { duration } from '@platform/config';

/**
 * The variables of a gRPC server every service reads the same way, to spread into its
 * configuration (as `databaseVariables` and `kafkaVariables`): health, drain and connection age.
 * The service runtime applies them, so no service wires them by hand.
 */
export const grpcServerVariables = {
  /** How often health re-checks the database. */
  HEALTH_CHECK_INTERVAL: duration({ minMs: 50 }).default(5_000),
  /** Bound of the drain on SIGTERM before remaining calls are cut. */
  SHUTDOWN_DRAIN_TIMEOUT: duration().default(10_000),
  /** Connections are ended after this (then the grace), so clients re-resolve and re-balance. Unset: never. */
  GRPC_MAX_CONNECTION_AGE: duration({ minMs: 1_000 }).optional(),
  GRPC_MAX_CONNECTION_AGE_GRACE: duration().default(10_000),
};

/** The server's channel options for a connection age: none when it is unset. */
export function connectionAgeOptions(config: {
  readonly GRPC_MAX_CONNECTION_AGE?: number | undefined;
  readonly GRPC_MAX_CONNECTION_AGE_GRACE?: number | undefined;
}): Record<string, number> {
  if (config.GRPC_MAX_CONNECTION_AGE === undefined) return {};
  return {
    'grpc.max_connection_age_ms': config.GRPC_MAX_CONNECTION_AGE,
    ...(config.GRPC_MAX_CONNECTION_AGE_GRACE !== undefined && {
      'grpc.max_connection_age_grace_ms': config.GRPC_MAX_CONNECTION_AGE_GRACE,
    }),
  };
}
