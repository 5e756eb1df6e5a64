import {
  InterceptingCall,
  Metadata,
  type InterceptingListener,
  type InterceptorOptions,
  type Listener,
  type NextCall,
  type Requester,
  type StatusObject,
} from '@grpc/grpc-js';
import { context as otelContext } from '@opentelemetry/api';
import { describeMethod, type MethodInfo } from '../call/method-info.js';
import { failedCall } from '../client/channel/failed-call.js';
import type { ClientCallHooks, ClientStep, ClientStepCall, StepStatus } from './client-step.js';
import { handOn, type PassingHook } from './hand-on.js';

type CallBelow = ReturnType<NextCall>;

const startHook = (hooks: ClientCallHooks) => hooks.start;
const sendMessageHook = (hooks: ClientCallHooks) => hooks.sendMessage;
// Half-close and cancel carry no value: static adapters (called as methods of the step's hooks)
// make them hooks of `void`, with no closure per call.
function halfClose(this: ClientCallHooks, _: void, next: () => void): void {
  this.halfClose?.(next);
}
function cancel(this: ClientCallHooks, _: void, next: () => void): void {
  this.cancel?.(next);
}
const halfCloseHook = (hooks: ClientCallHooks): PassingHook<void> | undefined =>
  hooks.halfClose ? halfClose : undefined;
const cancelHook = (hooks: ClientCallHooks): PassingHook<void> | undefined =>
  hooks.cancel ? cancel : undefined;
const receiveMetadataHook = (hooks: ClientCallHooks) => hooks.onReceiveMetadata;
const receiveMessageHook = (hooks: ClientCallHooks) => hooks.onReceiveMessage;
const receiveStatusHook = (hooks: ClientCallHooks) => hooks.onReceiveStatus;
const hasSendMessage = (hooks: ClientCallHooks | undefined) => hooks?.sendMessage !== undefined;
const hasHalfClose = (hooks: ClientCallHooks | undefined) => hooks?.halfClose !== undefined;
const hasCancel = (hooks: ClientCallHooks | undefined) => hooks?.cancel !== undefined;
const hasReceiveMetadata = (hooks: ClientCallHooks | undefined) => hooks?.onReceiveMetadata !== undefined;
const hasReceiveMessage = (hooks: ClientCallHooks | undefined) => hooks?.onReceiveMessage !== undefined;

/**
 * The steps of one client call run in one grpc-js layer: their send hooks application side
 * first, their receive hooks wire side first, each handing on to the next as grpc-js's own
 * layers do, but without a layer (its queues, listener wrappers and closures) per step. One
 * layer is enough for ordering: its InterceptingCall holds the messages and the half-close until
 * every start hook handed on, and the status until the message before it passed.
 */
export class FusedClientCall {
  options: InterceptorOptions;
  // Described when a step first asks (the circuit breaker's layer, made per attempt, never does).
  #method: MethodInfo | undefined;
  /** Hooks of the steps opened, application side first (`undefined`: the step lets the call by). */
  readonly #hooks: (ClientCallHooks | undefined)[] = [];
  #below: CallBelow | undefined;
  /** The listener the layer was started with: the caller, or the layer above. */
  #caller: InterceptingListener | undefined;

  constructor(options: InterceptorOptions) {
    this.options = options;
  }

  get method(): MethodInfo {
    if (!this.#method) {
      const definition = this.options.method_definition;
      this.#method = describeMethod(definition.path, definition.requestStream, definition.responseStream);
    }
    return this.#method;
  }

  /**
   * Opens `steps` in order, then makes the call below with `nextCall`, unless a step failed the
   * call meanwhile (then the call below is that failure, and the steps from it on are not
   * opened). Returns the layer, for an interceptor to return.
   */
  open(steps: readonly ClientStep[], nextCall: NextCall): InterceptingCall {
    const below = this.#openFrom(steps, 0, nextCall);
    return new InterceptingCall(below, this.#requester());
  }

  #openFrom(steps: readonly ClientStep[], from: number, nextCall: NextCall): CallBelow {
    for (let index = from; index < steps.length; index++) {
      const hooks = steps[index]?.open(new StepCall(this, index));
      if (this.#below) return this.#below;
      this.#hooks.push(hooks);
      // Later steps read the active context (logging its span) and retry keeps it for its attempts.
      const context = hooks?.activeContext;
      if (context) return otelContext.with(context, this.#openFrom, this, steps, index + 1, nextCall);
    }
    this.#below = nextCall(this.options);
    return this.#below;
  }

  // Only the events some step hooks are intercepted: grpc-js passes the others through itself,
  // without a closure per call for them.
  #requester(): Requester {
    const hooks = this.#hooks;
    return {
      start: (metadata, caller, next) => {
        this.#caller = caller;
        handOn(hooks, startHook, 0, 1, metadata, (passed) => next(passed, this.#listener()));
      },
      sendMessage: hooks.some(hasSendMessage)
        ? (message, next) => handOn(hooks, sendMessageHook, 0, 1, message, next)
        : undefined,
      halfClose: hooks.some(hasHalfClose)
        ? (next) => handOn(hooks, halfCloseHook, 0, 1, undefined, next)
        : undefined,
      cancel: hooks.some(hasCancel) ? (next) => handOn(hooks, cancelHook, 0, 1, undefined, next) : undefined,
    };
  }

  #listener(): Listener {
    const hooks = this.#hooks;
    const last = hooks.length - 1;
    return {
      onReceiveMetadata: hooks.some(hasReceiveMetadata)
        ? (metadata, next) => handOn(hooks, receiveMetadataHook, last, -1, metadata, next)
        : undefined,
      onReceiveMessage: hooks.some(hasReceiveMessage)
        ? (message, next) => handOn(hooks, receiveMessageHook, last, -1, message, next)
        : undefined,
      onReceiveStatus: (status, next) => handOn(hooks, receiveStatusHook, last, -1, status, next),
    };
  }

  /** {@link ClientStepCall.fail} for step `index`. */
  failAt(index: number, status: StepStatus): void {
    const final: StatusObject = {
      code: status.code,
      details: status.details,
      metadata: status.metadata ?? new Metadata(),
    };
    if (!this.#below) {
      this.#below = failedCall(final);
      return;
    }
    this.cancelBelow(index, final.code, final.details);
    const caller = this.#caller;
    if (caller)
      handOn(this.#hooks, receiveStatusHook, index - 1, -1, final, (passed) =>
        caller.onReceiveStatus(passed),
      );
  }

  /** {@link ClientStepCall.cancelBelow} for step `index`. */
  cancelBelow(index: number, code: StatusObject['code'], details: string): void {
    handOn(this.#hooks, cancelHook, index + 1, 1, undefined, () =>
      this.#below?.cancelWithStatus(code, details),
    );
  }

  getPeer(): string {
    return this.#below?.getPeer() ?? '';
  }
}

/** The call as step `index` sees it. */
class StepCall implements ClientStepCall {
  readonly #fused: FusedClientCall;
  readonly #index: number;

  constructor(fused: FusedClientCall, index: number) {
    this.#fused = fused;
    this.#index = index;
  }

  get method(): MethodInfo {
    return this.#fused.method;
  }

  get options(): InterceptorOptions {
    return this.#fused.options;
  }

  set options(options: InterceptorOptions) {
    this.#fused.options = options;
  }

  fail(status: StepStatus): void {
    this.#fused.failAt(this.#index, status);
  }

  cancelBelow(code: StatusObject['code'], details: string): void {
    this.#fused.cancelBelow(this.#index, code, details);
  }

  getPeer(): string {
    return this.#fused.getPeer();
  }
}
