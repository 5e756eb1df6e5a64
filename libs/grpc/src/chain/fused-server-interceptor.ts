import { ServerInterceptingCall, type Responder, type ServerInterceptor } from '@grpc/grpc-js';
import { bindCallContext } from '../server/context/call-registry.js';
import { openCallContext } from '../server/context/open-call-context.js';
import { FusedServerCall } from './fused-server-call.js';
import type { ServerStep } from './server-step.js';

/**
 * One grpc-js interceptor that opens the call's context and runs `steps` (wire side first) as
 * hooks of a single layer ({@link FusedServerCall}): what each step does, and in which order, is
 * what the same steps do as interceptors of their own after contextInterceptor.
 */
export function fusedServerInterceptor(steps: readonly ServerStep[]): ServerInterceptor {
  return (definition, call) => {
    const { context, responder: contextResponder } = openCallContext(definition, call);
    const responders: (Responder | undefined)[] = [contextResponder];
    const fused = new FusedServerCall(call, responders);
    for (const step of steps) {
      responders.push(
        step.selector(context.method)
          ? step.intercept(context, fused.wireOf(responders.length), definition)
          : undefined,
      );
    }
    const intercepted = new ServerInterceptingCall(call, fused.responder());
    bindCallContext(intercepted, context);
    return intercepted;
  };
}
