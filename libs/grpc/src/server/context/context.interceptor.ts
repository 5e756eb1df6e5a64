import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';
import { bindCallContext } from './call-registry.js';
import { openCallContext } from './open-call-context.js';

/**
 * The first server interceptor of a chain of standalone interceptors: creates the call's
 * {@link CallContext} ({@link openCallContext}) for the interceptors after it. createServerChain
 * opens the context in its one interceptor instead.
 */
export const contextInterceptor: ServerInterceptor = (definition, call) => {
  const { context, responder } = openCallContext(definition, call);
  const intercepted = new ServerInterceptingCall(call, responder);
  bindCallContext(intercepted, context);
  return intercepted;
};
