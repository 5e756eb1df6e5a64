import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from './principal.js';

/**
 * What every layer may know of the unit of work being served, whatever brought it: a gRPC call or
 * a Kafka event. It lives in AsyncLocalStorage while the work runs, so repositories, transactions
 * and outgoing clients read the time budget, cancellation and principal without threading them
 * through every signature. The gRPC server chain's call context extends it.
 */
export interface CallScope {
  /** What is served: a gRPC method path, or the handler and event type of a consumer. */
  readonly name: string;
  /** Absolute deadline, epoch milliseconds; `undefined` when there is none. */
  deadline: number | undefined;
  /** Aborted when the caller cancels, the deadline passes, or the process shuts down. */
  readonly signal: AbortSignal;
  principal?: Principal;
  /** Trace and span id of the work's span, once tracing opened one. */
  trace?: { readonly traceId: string; readonly spanId: string };
  /** Per-concern state (spans, timers), keyed by a symbol each concern owns. */
  readonly slots: Map<symbol, unknown>;
}

const scopeStorage = new AsyncLocalStorage<CallScope>();

/** Runs `work` inside `scope`: everything it starts, synchronously or not, sees the scope. */
export function runInCall<T>(scope: CallScope, work: () => T): T {
  return scopeStorage.run(scope, work);
}

/** The unit of work being served, or `undefined` outside one. */
export function currentScope(): CallScope | undefined {
  return scopeStorage.getStore();
}

/**
 * Milliseconds left until the scope's deadline: `Infinity` when there is no deadline or no
 * current scope, never negative.
 */
export function remainingMs(scope: CallScope | undefined = currentScope()): number {
  if (scope?.deadline === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(0, scope.deadline - Date.now());
}
