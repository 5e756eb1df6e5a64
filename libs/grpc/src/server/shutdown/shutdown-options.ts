import type { InFlightCalls, InFlightCounts } from './in-flight-calls.js';

/** The steps of a graceful shutdown, in order; `requests-drained` is skipped when the grace ran out. */
export type ShutdownStepName =
  'not-serving' | 'refusing-calls' | 'requests-drained' | 'streams-ended' | 'drained' | 'forced';

/** A step reached, for logs. */
export interface ShutdownStep {
  readonly name: ShutdownStepName;
  /** Milliseconds since the shutdown began. */
  readonly elapsedMs: number;
  /** Calls still in flight when the step was reached. */
  readonly inFlight: InFlightCounts;
}

/** How a graceful shutdown ended. */
export interface ShutdownResult {
  /** True when the drain bound passed and the remaining calls were cut. */
  readonly forced: boolean;
  /** How many long-lived streams were ended with UNAVAILABLE. */
  readonly streamsEnded: number;
  readonly durationMs: number;
}

/** Options of {@link gracefulShutdown}. */
export interface GracefulShutdownOptions {
  /** The server's in-flight calls, tracked by `shutdownInterceptor(inFlight)` in its chain. */
  inFlight: InFlightCalls;
  /** Reported NOT_SERVING first, so health-checking load balancers move traffic away. Defaults to none. */
  health?: { setNotServing(): void };
  /**
   * Time between reporting NOT_SERVING and refusing new calls, in ms: how long load balancers
   * that poll health need to stop routing here. Defaults to 0 ms (Kubernetes deployments
   * usually wait in a preStop hook instead).
   */
  notServingDelayMs?: number;
  /**
   * Bound of the drain, in ms from when new calls are refused: calls still running then are
   * cut (`forceShutdown`). Keep it below the orchestrator's kill timeout (Kubernetes
   * terminationGracePeriodSeconds). Defaults to 10 000 ms.
   */
  drainTimeoutMs?: number;
  /**
   * Longest wait before long-lived streams (server-streaming, bidi) are ended with UNAVAILABLE,
   * in ms from when new calls are refused; they are ended earlier, as soon as no unary or
   * client-streaming call is in flight. Defaults to half of `drainTimeoutMs`.
   */
  streamGraceMs?: number;
  /** Called at each step, for logs. Defaults to none. */
  onStep?: (step: ShutdownStep) => void;
}
