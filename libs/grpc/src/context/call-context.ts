import type { Metadata, StatusObject } from '@grpc/grpc-js';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MethodInfo } from '../call/method-info.js';

/** Who is calling, as established by the auth interceptor. */
export interface Principal {
  /** Token subject: a user id, or a service's client id. */
  readonly subject: string;
  readonly kind: 'user' | 'service';
  /** Roles granted by the token, for example `['user']`, `['admin']`, `['service']`. */
  readonly roles: readonly string[];
  /** The raw bearer token, so calls made on the user's behalf can forward it. */
  readonly token?: string;
  /** Token expiry, epoch milliseconds. */
  readonly expiresAt?: number;
}

/** The status a call ended with, as sent to the client (or inferred on cancellation). */
export type CallOutcome = Pick<StatusObject, 'code' | 'details'> & { metadata?: Metadata | null };

/**
 * Everything the server chain knows about one incoming call. It lives in AsyncLocalStorage
 * for the duration of the handler, so handlers, repositories and outgoing clients can read
 * the deadline, cancellation and principal without threading them through every signature.
 */
export interface CallContext {
  readonly method: MethodInfo;
  /** Incoming request metadata (empty until the client's metadata arrived). */
  metadata: Metadata;
  readonly peer: string;
  /** Absolute deadline, epoch milliseconds; `undefined` when the caller set none. */
  deadline: number | undefined;
  /** Aborted when the client cancels, the deadline passes, or the server shuts down. */
  readonly signal: AbortSignal;
  /** `performance.now()` when the call arrived. */
  readonly startedAt: number;
  principal?: Principal;
  /** The original error a handler failed with, recorded for logs (never sent to the client). */
  error?: unknown;
  /** Trace and span id of the call's server span, once the tracing interceptor opened it. */
  trace?: { readonly traceId: string; readonly spanId: string };
  /** Id under which an INTERNAL error was logged; also sent in ErrorInfo metadata. */
  errorId?: string;
  /** Per-concern state (spans, timers), keyed by a symbol each concern owns. */
  readonly slots: Map<symbol, unknown>;
  /** Registers a callback for when the call ends, with its final status. Runs once. */
  onEnd(callback: (outcome: CallOutcome) => void): void;
}

/** The store behind {@link currentCall}. */
export const callStorage = new AsyncLocalStorage<CallContext>();

/** The incoming call being served, or `undefined` outside a call. */
export function currentCall(): CallContext | undefined {
  return callStorage.getStore();
}

/**
 * Milliseconds left until the current call's deadline: `Infinity` when there is no
 * deadline or no current call, never negative.
 */
export function remainingMs(context: CallContext | undefined = currentCall()): number {
  if (context?.deadline === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(0, context.deadline - Date.now());
}
