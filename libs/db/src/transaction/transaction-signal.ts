import { currentScope, remainingMs } from '@platform/core';

/**
 * The AbortSignal of the work being served (a gRPC call or a Kafka handler, from its call scope),
 * or `undefined` outside one. It aborts when the caller cancels, the deadline passes or the
 * process shuts down.
 */
export function transactionSignal(): AbortSignal | undefined {
  return currentScope()?.signal;
}

/** Milliseconds left until the current scope's deadline; `Infinity` outside one or without one. */
export function callRemainingMs(): number {
  return remainingMs();
}
