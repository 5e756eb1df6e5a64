import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { deadlineExceeded, type Principal } from '@platform/core';
import { performance } from 'node:perf_hooks';
import type { MethodInfo } from '../../call/method-info.js';
import { grpcCallBrand, type CallContext, type CallOutcome } from './call-context.js';

// A client whose deadline expires cancels the stream (RST_STREAM CANCEL, like an explicit
// cancel), and it computed its deadline before the request reached us: under load our copy of the
// deadline (now + grpc-timeout) runs tens of milliseconds later than the client's. A cancellation
// within the last tenth of the call's time (20 ms to 250 ms) is therefore the deadline; a client
// cancelling that close to its own deadline is moot.
function deadlineSlackMs(totalMs: number): number {
  return Math.min(250, Math.max(20, totalMs / 10));
}

/**
 * The {@link CallContext} of one incoming call, as openCallContext makes it: a class rather than
 * an object literal, as one is made per call (accessors on a literal are made anew each time).
 * Its abort signal and slots are made when first read: most calls end without using them.
 */
export class GrpcCallContext implements CallContext {
  readonly name: string;
  readonly method: MethodInfo;
  metadata = new Metadata();
  readonly peer: string;
  deadline: number | undefined;
  readonly startedAt = performance.now();
  principal?: Principal;
  trace?: { readonly traceId: string; readonly spanId: string };
  error?: unknown;
  errorId?: string;
  readonly [grpcCallBrand] = true as const;
  readonly #receivedAt = Date.now();
  readonly #endCallbacks: ((outcome: CallOutcome) => void)[] = [];
  #ended = false;
  #slots: Map<symbol, unknown> | undefined;
  #controller: AbortController | undefined;
  #abortedWith: { reason: unknown } | undefined;

  constructor(method: MethodInfo, peer: string, deadline: number | undefined) {
    this.name = method.path;
    this.method = method;
    this.peer = peer;
    this.deadline = deadline;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortedWith) this.#controller.abort(this.#abortedWith.reason);
    }
    return this.#controller.signal;
  }

  get slots(): Map<symbol, unknown> {
    return (this.#slots ??= new Map());
  }

  /** Whether the call ended (its status went out, or the client went away). */
  get ended(): boolean {
    return this.#ended;
  }

  onEnd(callback: (outcome: CallOutcome) => void): void {
    if (this.#ended) throw new Error('onEnd registered after the call ended');
    this.#endCallbacks.push(callback);
  }

  /** Ends the call with `outcome`, once: the callbacks run in the order they were registered. */
  end(outcome: CallOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const callback of this.#endCallbacks) callback(outcome);
  }

  /** The client cancelled or its deadline passed: ends the call so, and aborts its signal. */
  clientGone(): void {
    const { deadline } = this;
    const deadlinePassed =
      deadline !== undefined && Date.now() >= deadline - deadlineSlackMs(deadline - this.#receivedAt);
    this.end(
      deadlinePassed
        ? { code: GrpcStatus.DEADLINE_EXCEEDED, details: 'Deadline exceeded' }
        : { code: GrpcStatus.CANCELLED, details: 'Cancelled by the client' },
    );
    const reason = deadlinePassed ? deadlineExceeded() : 'cancelled';
    if (this.#controller) this.#controller.abort(reason);
    else this.#abortedWith ??= { reason };
  }
}
