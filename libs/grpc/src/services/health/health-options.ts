/** A serving status as grpc.health.v1 reports it from Check (Watch adds SERVICE_UNKNOWN). */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/** What a dependency check reports: a plain verdict, or a verdict with a reason for the logs. */
export type HealthCheckResult = boolean | { ok: boolean; detail?: string };

/**
 * Checks one dependency (a database ping, a broker connection). A thrown error or a rejected
 * promise counts as failing; the signal aborts when the check runs out of time.
 */
export type HealthCheck = (signal: AbortSignal) => HealthCheckResult | Promise<HealthCheckResult>;

/** A check that failed in the latest evaluation. */
export interface HealthCheckFailure {
  /** The service the check was registered for (`''`: the whole server). */
  readonly service: string;
  /** The check's name, as given to `addCheck`. */
  readonly check: string;
  /** Why: the check's detail, the error message, or the timeout. */
  readonly detail: string;
}

/** A service whose status changed, with what explains a NOT_SERVING. */
export interface HealthChange {
  readonly service: string;
  readonly status: ServingStatus;
  /** The checks failing now; empty when the status is SERVING or the server is shutting down. */
  readonly failures: readonly HealthCheckFailure[];
  /** True once `setNotServing()` was called: the server is going away, whatever the checks say. */
  readonly shuttingDown: boolean;
}

/** Options of {@link HealthService}. */
export interface HealthServiceOptions {
  /**
   * Services reported even without checks of their own, by fully qualified name
   * (`platform.order.v1.OrderService`). Registering a check also registers its service; the
   * overall status `''` is always reported. Defaults to none.
   */
  services?: readonly string[];
  /** How often every check runs while polling, in ms. Defaults to 5000 ms. */
  intervalMs?: number;
  /** A check that has not settled within this many ms counts as failing. Defaults to 2000 ms. */
  checkTimeoutMs?: number;
  /** Called after a service's status changed (for logs). Defaults to none. */
  onChange?: (change: HealthChange) => void;
}
