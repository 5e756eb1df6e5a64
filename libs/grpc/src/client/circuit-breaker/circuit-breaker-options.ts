import type { status as GrpcStatus } from '@grpc/grpc-js';

/** A target's circuit: `closed` lets calls through, `open` fails them fast, `half-open` probes. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of the client circuit breaker. */
export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open a target's circuit. Defaults to 5. */
  consecutiveFailures?: number;
  /**
   * Share of failed calls (0 to 1) within `windowMs` that opens the circuit, once the window
   * holds at least `minimumCalls`. Defaults to 0.5.
   */
  failureRatio?: number;
  /** Calls the window must hold before `failureRatio` applies. Defaults to 20. */
  minimumCalls?: number;
  /** Length of the sliding window of `failureRatio`, in milliseconds. Defaults to 10 000 ms. */
  windowMs?: number;
  /** How long an open circuit fails calls before letting probes through, in ms. Defaults to 5 000 ms. */
  openMs?: number;
  /**
   * Probe calls let through while half-open; the circuit closes when all of them succeed and
   * opens again at the first failure. A probe unanswered after `openMs` frees its slot.
   * Defaults to 1.
   */
  halfOpenProbes?: number;
  /**
   * Codes that count as the target failing. Defaults to UNAVAILABLE, DEADLINE_EXCEEDED,
   * INTERNAL, UNKNOWN and DATA_LOSS. CANCELLED never counts (the caller gave up); every other
   * code is an answer, so a success.
   */
  failureCodes?: readonly GrpcStatus[];
  /** ErrorInfo domain of the fast failures. Defaults to `circuit-breaker.platform`. */
  domain?: string;
  /** Clock, epoch milliseconds; tests pass a controllable one. Defaults to `Date.now`. */
  now?: () => number;
  /** Called on every state change of a target's circuit, for logs and metrics. Defaults to none. */
  onStateChange?: (target: string, state: CircuitState, previous: CircuitState) => void;
}
