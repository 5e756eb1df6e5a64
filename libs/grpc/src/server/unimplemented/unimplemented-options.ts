import type { Registry } from 'prom-client';

/** A call to a method the server does not serve. Never carries credentials. */
export interface UnimplementedProbe {
  /** The requested path as sent, truncated to 256 characters. */
  readonly path: string;
  /** The `grpc_service` label: the service if the server serves it, else `unknown`. */
  readonly service: string;
  /** The `grpc_method` label: the method name under a served service, else `unknown`. */
  readonly method: string;
  /** `address:port` of the caller. */
  readonly peer: string;
  /** The caller's `user-agent`, truncated to 256 characters, or `''`. */
  readonly userAgent: string;
}

/** The slice of a logger the audit uses; a pino logger fits. */
export interface UnimplementedLogger {
  warn(fields: object, message: string): void;
}

/** Options of {@link auditUnimplemented}. */
export interface UnimplementedAuditOptions {
  /** Logs each probe at warn level (path, peer, user-agent; never authorization). Defaults to none. */
  logger?: UnimplementedLogger;
  /** Called for each probe. Defaults to none. */
  onProbe?: (probe: UnimplementedProbe) => void;
  /**
   * Where `grpc_server_unimplemented_total{grpc_service,grpc_method}` is registered (reused if
   * it is there already). Defaults to prom-client's default registry.
   */
  registry?: Registry;
  /**
   * Distinct `grpc_method` values kept per served service; further unknown method names are
   * counted as `unknown`, so callers cannot grow the metric without bound. Defaults to 20.
   */
  maxMethodLabelsPerService?: number;
}
