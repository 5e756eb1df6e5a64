import { currentCall, remainingMs } from '@platform/grpc';

/**
 * The AbortSignal of the gRPC call being served (from its AsyncLocalStorage context), or
 * `undefined` outside a call. It aborts when the client cancels, the deadline passes or the
 * server shuts down.
 */
export function transactionSignal(): AbortSignal | undefined {
  return currentCall()?.signal;
}

/** Milliseconds left until the current call's deadline; `Infinity` outside a call or without one. */
export function callRemainingMs(): number {
  return remainingMs();
}
