import type { CallScope } from './call-scope.js';
import { deadlineExceeded } from './deadline-reason.js';
import type { Principal } from './principal.js';

/** Options of {@link openCall}. */
export interface OpenCallOptions {
  /** What is served, for logs and spans: `fulfillment/OrderPlaced`. */
  name: string;
  /** Time budget from now, milliseconds. Ignored when `deadline` is given. */
  timeoutMs?: number;
  /** Absolute deadline, epoch milliseconds. */
  deadline?: number;
  /** A signal the scope's own follows: the consumer stopping, the process shutting down. */
  signal?: AbortSignal;
  principal?: Principal;
}

/** A scope opened by {@link openCall}, with the means to end it. */
export interface OpenedCall {
  readonly scope: CallScope;
  /** Aborts the scope's signal (a no-op once aborted). */
  abort(reason?: unknown): void;
  /** Releases the deadline timer and the parent listener. Call it when the work ended. */
  close(): void;
}

/**
 * Opens a {@link CallScope} for work that no gRPC call brought (a Kafka event, a scheduled job):
 * its signal aborts when the deadline passes, when `signal` aborts, or on `abort()`, exactly as a
 * gRPC call's does on deadline, client cancel and shutdown. Run the work with `runInCall`.
 *
 * The signal, its deadline timer and its parent listener are made when the signal is first read:
 * most events are handled without anything listening, and a consumer opens a scope per record.
 */
export function openCall(options: OpenCallOptions): OpenedCall {
  const deadline =
    options.deadline ?? (options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs);
  let controller: AbortController | undefined;
  let abortedBefore: { reason: unknown } | undefined = options.signal?.aborted
    ? { reason: options.signal.reason ?? 'cancelled' }
    : undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const abort = (reason: unknown) => {
    if (controller) {
      if (!controller.signal.aborted) controller.abort(reason);
    } else {
      abortedBefore ??= { reason };
    }
  };
  const onParentAbort = () => abort(options.signal?.reason ?? 'cancelled');

  const signal = (): AbortSignal => {
    if (controller) return controller.signal;
    controller = new AbortController();
    // What happened before anyone listened decides the signal's state now.
    if (!closed && options.signal?.aborted)
      abortedBefore ??= { reason: options.signal.reason ?? 'cancelled' };
    const budgetMs = deadline === undefined ? undefined : deadline - Date.now();
    if (budgetMs !== undefined && budgetMs <= 0) abortedBefore ??= { reason: deadlineExceeded() };
    if (abortedBefore) {
      controller.abort(abortedBefore.reason);
    } else if (!closed) {
      options.signal?.addEventListener('abort', onParentAbort, { once: true });
      if (budgetMs !== undefined) {
        timer = setTimeout(() => abort(deadlineExceeded()), budgetMs);
        timer.unref();
      }
    }
    return controller.signal;
  };

  const scope: CallScope = {
    name: options.name,
    deadline,
    get signal() {
      return signal();
    },
    principal: options.principal,
    slots: new Map(),
  };
  return {
    scope,
    abort,
    close: () => {
      closed = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onParentAbort);
    },
  };
}
