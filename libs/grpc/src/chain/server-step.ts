import type {
  Responder,
  ServerInterceptingCallInterface,
  ServerInterceptor,
  ServerMethodDefinition,
} from '@grpc/grpc-js';
import type { CallContext } from '../server/context/call-context.js';
import type { MethodSelector } from '../call/method-selector.js';

/**
 * One concern of the server chain as plain hooks: given the call's {@link CallContext} and the
 * call toward the wire (`wire.sendStatus(...)` rejects the call through the steps before this
 * one), it returns the grpc-js responder (and, through its `start`, the listener) to apply, or
 * `undefined` to let the call through untouched. The chain runs every step of a call in one
 * grpc-js interceptor; alone, a step is an interceptor of its own.
 */
export interface ServerStep {
  /** Named in the error raised when a standalone step lacks the context interceptor. */
  readonly name: string;
  readonly intercept: (
    context: CallContext,
    wire: ServerInterceptingCallInterface,
    definition: ServerMethodDefinition<unknown, unknown>,
  ) => Responder | undefined;
  /** Methods it applies to; the others pass through. */
  readonly selector: MethodSelector;
}

const stepKey = Symbol('platform.serverStep');

/** Marks `interceptor` as running `step`, so a chain can run the step without its layer. */
export function withServerStep(interceptor: ServerInterceptor, step: ServerStep): ServerInterceptor {
  return Object.assign(interceptor, { [stepKey]: step });
}

/** The step an interceptor of the platform runs, or `undefined` for any other interceptor. */
export function serverStepOf(interceptor: ServerInterceptor): ServerStep | undefined {
  return (interceptor as ServerInterceptor & { [stepKey]?: ServerStep })[stepKey];
}
