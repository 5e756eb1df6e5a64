import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';

// grpc-js creates every interceptor of a call in turn, each wrapping the call the previous one
// returned, before any event runs (so before AsyncLocalStorage holds the context). Each of our
// interceptors registers the call it returns, so the next one finds the context by its input.
const contexts = new WeakMap<ServerInterceptingCallInterface, CallContext>();

export function bindCallContext(call: ServerInterceptingCallInterface, context: CallContext): void {
  contexts.set(call, context);
}

export function callContextOf(call: ServerInterceptingCallInterface): CallContext | undefined {
  return contexts.get(call);
}
