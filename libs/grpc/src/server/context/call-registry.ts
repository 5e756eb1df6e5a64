import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';

// grpc-js creates every interceptor of a call in turn, each wrapping the call the previous one
// returned, before any event runs (so before AsyncLocalStorage holds the context). Each of our
// interceptors stamps the call it returns, so the next one finds the context on its input: a
// property rather than a WeakMap entry, which would cost a hash insert and garbage-collector
// bookkeeping per layer and call.
const contextKey = Symbol('platform.callContext');

type StampedCall = ServerInterceptingCallInterface & { [contextKey]?: CallContext };

export function bindCallContext(call: ServerInterceptingCallInterface, context: CallContext): void {
  (call as StampedCall)[contextKey] = context;
}

export function callContextOf(call: ServerInterceptingCallInterface): CallContext | undefined {
  return (call as StampedCall)[contextKey];
}
