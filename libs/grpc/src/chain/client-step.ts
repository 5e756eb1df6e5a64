import type { Interceptor, InterceptorOptions, Metadata, StatusObject } from '@grpc/grpc-js';
import type { Context } from '@opentelemetry/api';
import type { MethodInfo } from '../call/method-info.js';

/**
 * What a client step does to one call: grpc-js's Requester and Listener hooks as plain methods,
 * each handing on to the next step (now or later) as grpc-js's own layers do. Send hooks run
 * application side first, receive hooks wire side first; a missing hook passes through.
 */
export interface ClientCallHooks {
  /** The OpenTelemetry context the steps after this one, and the call below, are made in. */
  readonly activeContext?: Context;
  start?(metadata: Metadata, next: (metadata: Metadata) => void): void;
  sendMessage?(message: unknown, next: (message: unknown) => void): void;
  halfClose?(next: () => void): void;
  cancel?(next: () => void): void;
  onReceiveMetadata?(metadata: Metadata, next: (metadata: Metadata) => void): void;
  onReceiveMessage?(message: unknown, next: (message: unknown) => void): void;
  onReceiveStatus?(status: StatusObject, next: (status: StatusObject) => void): void;
}

/** A status a step ends a call with; its trailers default to none. */
export type StepStatus = Pick<StatusObject, 'code' | 'details'> & { metadata?: Metadata };

/** The call as one step sees it, from when it is made to its end. */
export interface ClientStepCall {
  readonly method: MethodInfo;
  /** The options the call below is made with; a step may replace them for the steps after it. */
  options: InterceptorOptions;
  /**
   * Ends the call here with `status`: the steps before this one and the caller get it. While the
   * call is being made, nothing after this step is made and nothing is sent; later, the call
   * below is cancelled (after its start, that is; before, only that happens).
   */
  fail(status: StepStatus): void;
  /** Cancels the call below this step, through the cancel hooks of the steps after it. */
  cancelBelow(code: StatusObject['code'], details: string): void;
  /** The peer of the call below ('' before it is connected). */
  getPeer(): string;
}

/**
 * One concern of the client chain: when a call is made, `open` returns the hooks it applies to
 * that call, or `undefined` to let it through. The chain runs the steps above retry as hooks of
 * one grpc-js interceptor; alone, a step is an interceptor of its own.
 */
export interface ClientStep {
  readonly name: string;
  open(call: ClientStepCall): ClientCallHooks | undefined;
}

const stepKey = Symbol('platform.clientStep');

/** Marks `interceptor` as running `step`, so a chain can run the step without its layer. */
export function withClientStep(interceptor: Interceptor, step: ClientStep): Interceptor {
  return Object.assign(interceptor, { [stepKey]: step });
}

/** The step an interceptor of the platform runs, or `undefined` for any other interceptor. */
export function clientStepOf(interceptor: Interceptor): ClientStep | undefined {
  return (interceptor as Interceptor & { [stepKey]?: ClientStep })[stepKey];
}
