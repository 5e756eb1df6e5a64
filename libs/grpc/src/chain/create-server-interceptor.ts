import {
  ResponderBuilder,
  ServerInterceptingCall,
  status as GrpcStatus,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { bindCallContext, callContextOf } from '../server/context/call-registry.js';
import { allMethods, type MethodSelector } from '../call/method-selector.js';
import { withServerStep, type ServerStep } from './server-step.js';

/**
 * Builds a server interceptor of the platform's shape from a {@link ServerStep}: it receives the
 * call's {@link CallContext} and the next call toward the wire (`wire.sendStatus(...)` rejects
 * the call through the interceptors before this one), and returns the grpc-js responder to
 * apply, or `undefined` to let the call through untouched. Methods the selector rejects pass
 * through. The method's grpc-js definition (its request deserializer) comes third. Standalone,
 * it is a layer of its own after contextInterceptor; createServerChain runs its step without one.
 *
 * @param name Used in the error raised when the chain lacks the context interceptor.
 */
export function createServerInterceptor(
  name: string,
  intercept: ServerStep['intercept'],
  selector: MethodSelector = allMethods,
): ServerInterceptor {
  const interceptor: ServerInterceptor = (definition, call) => {
    const context = callContextOf(call);
    if (!context) return misconfigured(name, call);
    const responder = selector(context.method) ? intercept(context, call, definition) : undefined;
    // Nothing to intercept: hand the previous layer on rather than stacking an empty one that
    // every message and status of the call would pass through.
    if (!responder && call instanceof ServerInterceptingCall) return call;
    const intercepted = new ServerInterceptingCall(call, responder);
    bindCallContext(intercepted, context);
    return intercepted;
  };
  return withServerStep(interceptor, { name, intercept, selector });
}

const warned = new Set<string>();

/**
 * A chain without the context interceptor is a deployment bug: fail every call with INTERNAL
 * (the handler never runs without its context) and say how to fix it, once, in the log.
 */
function misconfigured(name: string, call: ServerInterceptingCallInterface): ServerInterceptingCall {
  if (!warned.has(name)) {
    warned.add(name);
    process.emitWarning(
      `${name} interceptor needs contextInterceptor before it; build server chains with createServerChain()`,
      { code: 'PLATFORM_GRPC_CHAIN' },
    );
  }
  const responder = new ResponderBuilder()
    .withStart((next) =>
      next({
        onReceiveMetadata: () =>
          call.sendStatus({
            code: GrpcStatus.INTERNAL,
            details: 'Server misconfigured (see the server log)',
          }),
      }),
    )
    .build();
  return new ServerInterceptingCall(call, responder);
}
