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
 * The scope {@link openCall} opens: a class, not an object literal, as one is made per record and
 * accessors on a literal are made anew each time. Its signal, the deadline timer and the parent
 * listener are made when the signal is first read, and its slots when first used.
 */
class OpenedScope implements CallScope {
  readonly name: string;
  readonly deadline: number | undefined;
  principal?: Principal;
  readonly #parent: AbortSignal | undefined;
  #controller: AbortController | undefined;
  #abortedBefore: { reason: unknown } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #slots: Map<symbol, unknown> | undefined;
  readonly #onParentAbort = (): void => this.#abort(this.#parent?.reason ?? 'cancelled');

  /** The scope with the means to end it, which only its opener holds. */
  static open(options: OpenCallOptions): OpenedCall {
    const scope = new OpenedScope(options);
    return { scope, abort: (reason) => scope.#abort(reason), close: () => scope.#close() };
  }

  private constructor(options: OpenCallOptions) {
    this.name = options.name;
    this.deadline =
      options.deadline ?? (options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs);
    this.principal = options.principal;
    this.#parent = options.signal;
    if (options.signal?.aborted) this.#abortedBefore = { reason: options.signal.reason ?? 'cancelled' };
  }

  get slots(): Map<symbol, unknown> {
    return (this.#slots ??= new Map());
  }

  get signal(): AbortSignal {
    if (this.#controller) return this.#controller.signal;
    const controller = (this.#controller = new AbortController());
    const parent = this.#parent;
    // What happened before anyone listened decides the signal's state now.
    if (!this.#closed && parent?.aborted) this.#abortedBefore ??= { reason: parent.reason ?? 'cancelled' };
    const budgetMs = this.deadline === undefined ? undefined : this.deadline - Date.now();
    if (budgetMs !== undefined && budgetMs <= 0) this.#abortedBefore ??= { reason: deadlineExceeded() };
    if (this.#abortedBefore) {
      controller.abort(this.#abortedBefore.reason);
    } else if (!this.#closed) {
      parent?.addEventListener('abort', this.#onParentAbort, { once: true });
      if (budgetMs !== undefined) {
        this.#timer = setTimeout(() => this.#abort(deadlineExceeded()), budgetMs);
        this.#timer.unref();
      }
    }
    return controller.signal;
  }

  #abort(reason: unknown): void {
    if (this.#controller) {
      if (!this.#controller.signal.aborted) this.#controller.abort(reason);
    } else {
      this.#abortedBefore ??= { reason };
    }
  }

  #close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#parent?.removeEventListener('abort', this.#onParentAbort);
  }
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
  return OpenedScope.open(options);
}
