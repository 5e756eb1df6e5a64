import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';
import type { CallContext } from '../context/call-context.js';
import type { PlatformError } from '@platform/core';
import { statusOf } from '../../call/grpc-error-shape.js';

/** How the shutdown interceptor hands a call over; not part of the public API. */
export const trackCall = Symbol('trackCall');

interface TrackedCall {
  readonly context: CallContext;
  /** The call toward the wire, below the shutdown interceptor. */
  readonly wire: ServerInterceptingCallInterface;
}

/** How many calls are in flight, by how they end. */
export interface InFlightCounts {
  /** Unary and client-streaming calls: they finish on their own once the request is complete. */
  readonly requests: number;
  /** Server-streaming and bidi calls: long-lived, they end when the server or client ends them. */
  readonly streams: number;
}

/**
 * The calls a server is serving, as seen by {@link shutdownInterceptor}, which also refuses new
 * calls once {@link close} was called. {@link gracefulShutdown} drives it; one instance per
 * server.
 */
export class InFlightCalls {
  readonly #requests = new Set<TrackedCall>();
  readonly #streams = new Set<TrackedCall>();
  readonly #requestsSettledWaiters: (() => void)[] = [];
  #closing = false;

  /** True once new calls are refused. */
  get closing(): boolean {
    return this.#closing;
  }

  get counts(): InFlightCounts {
    return { requests: this.#requests.size, streams: this.#streams.size };
  }

  /** Refuses every call that arrives from now on (UNAVAILABLE, reason SHUTTING_DOWN). */
  close(): void {
    this.#closing = true;
  }

  /** Resolves once no unary or client-streaming call is in flight. */
  requestsSettled(): Promise<void> {
    if (this.#requests.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#requestsSettledWaiters.push(resolve));
  }

  /**
   * Ends every server-streaming and bidi call with the error's status, through the
   * interceptors between the shutdown interceptor and the wire (so it is logged and counted);
   * grpc-js then cancels the handler's call, which aborts its call context signal.
   *
   * @returns How many streams were ended.
   */
  endStreams(error: PlatformError): number {
    const streams = [...this.#streams];
    for (const stream of streams) {
      stream.wire.sendStatus(statusOf(error));
    }
    return streams.length;
  }

  /** Starts tracking a call until it ends; `false` (not tracked) once closing. */
  [trackCall](context: CallContext, wire: ServerInterceptingCallInterface): boolean {
    if (this.#closing) return false;
    const call: TrackedCall = { context, wire };
    const calls = context.method.responseStream ? this.#streams : this.#requests;
    calls.add(call);
    context.onEnd(() => {
      calls.delete(call);
      if (this.#requests.size === 0) {
        for (const resolve of this.#requestsSettledWaiters.splice(0)) resolve();
      }
    });
    return true;
  }
}
