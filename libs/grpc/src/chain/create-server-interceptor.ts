import {
  ServerInterceptingCall,
  type Responder,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import type { CallContext } from '../context/call-context.js';
import { bindCallContext, callContextOf } from '../context/call-registry.js';
import { allMethods, type MethodSelector } from '../selector/method-selector.js';

/**
 * Builds a server interceptor of the platform's shape: it receives the call's
 * {@link CallContext} and the next call toward the wire (`wire.sendStatus(...)` rejects the
 * call through the interceptors before this one), and returns the grpc-js responder to apply,
 * or `undefined` to let the call through untouched. Methods the selector rejects pass through.
 *
 * @param name Used in the error raised when the chain lacks the context interceptor.
 */
export function createServerInterceptor(
  name: string,
  intercept: (context: CallContext, wire: ServerInterceptingCallInterface) => Responder | undefined,
  selector: MethodSelector = allMethods,
): ServerInterceptor {
  return (_definition, call) => {
    const context = callContextOf(call);
    if (!context) {
      throw new Error(
        `${name} interceptor needs contextInterceptor before it; build server chains with createServerChain()`,
      );
    }
    const responder = selector(context.method) ? intercept(context, call) : undefined;
    const intercepted = new ServerInterceptingCall(call, responder);
    bindCallContext(intercepted, context);
    return intercepted;
  };
}
