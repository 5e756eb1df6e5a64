import type { CallScope } from './call-scope.js';
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
 */
export function openCall(options: OpenCallOptions): OpenedCall {
  const controller = new AbortController();
  const deadline =
    options.deadline ?? (options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs);
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onParentAbort = () => abort(options.signal?.reason ?? 'cancelled');
  if (options.signal?.aborted) onParentAbort();
  else options.signal?.addEventListener('abort', onParentAbort, { once: true });
  const budgetMs = deadline === undefined ? undefined : deadline - Date.now();
  if (budgetMs !== undefined && budgetMs <= 0) abort('deadline exceeded');
  const timer =
    budgetMs === undefined || budgetMs <= 0
      ? undefined
      : setTimeout(() => abort('deadline exceeded'), budgetMs);
  timer?.unref();
  const scope: CallScope = {
    name: options.name,
    deadline,
    signal: controller.signal,
    principal: options.principal,
    slots: new Map(),
  };
  return {
    scope,
    abort,
    close: () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onParentAbort);
    },
  };
}
