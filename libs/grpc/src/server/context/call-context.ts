import type { Metadata, StatusObject } from '@grpc/grpc-js';
import { currentScope, type CallScope } from '@platform/core';
import type { MethodInfo } from '../../call/method-info.js';

/** The status a call ended with, as sent to the client (or inferred on cancellation). */
export type CallOutcome = Pick<StatusObject, 'code' | 'details'> & { metadata?: Metadata | null };

/**
 * Everything the server chain knows about one incoming call: the transport-free {@link CallScope}
 * every layer reads (deadline, cancellation, principal), plus what only gRPC has. The chain runs
 * the handler inside it with `runInCall`, so repositories and outgoing clients see it.
 */
export interface CallContext extends CallScope {
  readonly method: MethodInfo;
  /** Incoming request metadata (empty until the client's metadata arrived). */
  metadata: Metadata;
  readonly peer: string;
  /** `performance.now()` when the call arrived. */
  readonly startedAt: number;
  /** The original error a handler failed with, recorded for logs (never sent to the client). */
  error?: unknown;
  /** Id under which an INTERNAL error was logged; also sent in ErrorInfo metadata. */
  errorId?: string;
  /** Registers a callback for when the call ends, with its final status. Runs once. */
  onEnd(callback: (outcome: CallOutcome) => void): void;
  /** Set by the context interceptor: what `currentCall()` tells a gRPC call's scope by. */
  readonly [grpcCallBrand]?: true;
}

/** Marks a scope as a gRPC call's context: a property, not a WeakSet entry, as it is set per call. */
export const grpcCallBrand: unique symbol = Symbol('platform.grpcCall');

/** The incoming gRPC call being served, or `undefined` outside one (or inside a Kafka handler). */
export function currentCall(): CallContext | undefined {
  const scope = currentScope() as Partial<CallContext> | undefined;
  return scope?.[grpcCallBrand] ? (scope as CallContext) : undefined;
}
