import { base64Key, filePath, oneOf, port, positiveInt, secret } from '@platform/config';

/** The defaults of a service's own {@link servingVariables}: its place in the platform's port scheme. */
export interface ServingVariableDefaults {
  grpcPort: number;
  metricsPort: number;
  /** `.data/order-service`. */
  dataDir: string;
  /** Calls per second and burst per caller. */
  ratePerSecond: number;
  burst: number;
}

function servingShape(defaults: ServingVariableDefaults) {
  return {
    /** Interface the gRPC server listens on; `0.0.0.0` in containers. */
    GRPC_HOST: oneOf(['127.0.0.1', '0.0.0.0', '::', '::1']).default('127.0.0.1'),
    GRPC_PORT: port().default(defaults.grpcPort),
    /** Prometheus endpoint (`GET /metrics`); 0 picks a free port. */
    METRICS_PORT: port({ allowZero: true }).default(defaults.metricsPort),
    /** Embedded database (when DATABASE_URL is unset) and generated keys live here. */
    DATA_DIR: filePath({ mustExist: false }).default(defaults.dataDir),
    /** Seals the service's page tokens (32 bytes, base64). Unset: generated in `<P>_DATA_DIR/keys`. */
    PAGE_TOKEN_KEY: secret(base64Key(32)).optional(),
    /** Calls per second and burst per caller (token bucket), every method but health and reflection. */
    RATE_LIMIT_PER_SECOND: positiveInt().default(defaults.ratePerSecond),
    RATE_LIMIT_BURST: positiveInt().default(defaults.burst),
  };
}

type Prefixed<P extends string, T> = { readonly [K in keyof T as `${P}_${K & string}`]: T[K] };

/** The schemas {@link servingVariables} gives for the prefix `P`. */
export type ServingVariables<P extends string> = Prefixed<P, ReturnType<typeof servingShape>>;

/**
 * The variables every gRPC service on the runtime declares under its own prefix, to spread into
 * its configuration (as `databaseVariables`): `<P>_GRPC_HOST`, `<P>_GRPC_PORT`,
 * `<P>_METRICS_PORT`, `<P>_DATA_DIR`, `<P>_PAGE_TOKEN_KEY`, `<P>_RATE_LIMIT_PER_SECOND` and
 * `<P>_RATE_LIMIT_BURST`. A service that reads one differently declares it after the spread.
 */
export function servingVariables<const P extends string>(
  prefix: P,
  defaults: ServingVariableDefaults,
): ServingVariables<P> {
  return Object.fromEntries(
    Object.entries(servingShape(defaults)).map(([name, schema]) => [`${prefix}_${name}`, schema]),
  ) as ServingVariables<P>;
}

/** The loaded values of {@link servingVariables} that the readers below take. */
export type ServingSettings<P extends string> = Prefixed<
  P,
  {
    GRPC_HOST: string;
    GRPC_PORT: number;
    METRICS_PORT: number;
    RATE_LIMIT_PER_SECOND: number;
    RATE_LIMIT_BURST: number;
  }
>;

const valueOf = (config: object, prefix: string, name: string) =>
  (config as Record<string, unknown>)[`${prefix}_${name}`];

/** Where the gRPC app listens and serves its metrics, from its {@link servingVariables}. */
export function grpcAddressOf<const P extends string>(
  config: ServingSettings<P>,
  prefix: P,
): { host: string; port: number; metricsPort: number } {
  return {
    host: valueOf(config, prefix, 'GRPC_HOST') as string,
    port: valueOf(config, prefix, 'GRPC_PORT') as number,
    metricsPort: valueOf(config, prefix, 'METRICS_PORT') as number,
  };
}

/** The server chain's rate limit per caller, from the service's {@link servingVariables}. */
export function rateLimitOf<const P extends string>(
  config: ServingSettings<P>,
  prefix: P,
): { ratePerSecond: number; burst: number } {
  return {
    ratePerSecond: valueOf(config, prefix, 'RATE_LIMIT_PER_SECOND') as number,
    burst: valueOf(config, prefix, 'RATE_LIMIT_BURST') as number,
  };
}
