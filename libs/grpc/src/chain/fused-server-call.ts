import type { Metadata, Responder, ServerInterceptingCallInterface, ServerListener } from '@grpc/grpc-js';
import { handOn, type PassingHook } from './hand-on.js';

type Status = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];
type Listener = ServerInterceptingCallInterface['start'] extends (listener: infer L) => void ? L : never;

const receiveMetadataHook = (listener: ServerListener) => listener.onReceiveMetadata;
const receiveMessageHook = (listener: ServerListener) => listener.onReceiveMessage;
// The half-close carries no value: a static adapter (called as a method of the listener) makes
// it a hook of `void`, with no closure per call.
function receiveHalfClose(this: ServerListener, _: void, next: () => void): void {
  this.onReceiveHalfClose?.(next);
}
const receiveHalfCloseHook = (listener: ServerListener): PassingHook<void> | undefined =>
  listener.onReceiveHalfClose ? receiveHalfClose : undefined;
const sendMetadataHook = (responder: Responder) => responder.sendMetadata;
const sendMessageHook = (responder: Responder) => responder.sendMessage;
const sendStatusHook = (responder: Responder) => responder.sendStatus;

/**
 * The steps of one call run in one grpc-js layer: their listeners wire side first, their send
 * hooks handler side first, each hook handing on to the next as grpc-js's own layers do, but
 * without a layer (and its queues and closures) per step. One layer is enough for ordering:
 * grpc-js reads no request message before the metadata passed the whole chain, and the outer
 * layer holds back the next message and the half-close while one is processed. After a
 * cancellation no hook hands on to later steps, as a cancelled grpc-js layer does not.
 */
export class FusedServerCall {
  readonly #base: ServerInterceptingCallInterface;
  readonly #responders: readonly (Responder | undefined)[];
  readonly #listeners: (ServerListener | undefined)[] = [];
  #cancelled = false;
  readonly #isCancelled = () => this.#cancelled;

  /**
   * `responders[i]` is step i's, wire side first (filled in before the call starts); `base` is
   * the call the chain received.
   */
  constructor(base: ServerInterceptingCallInterface, responders: readonly (Responder | undefined)[]) {
    this.#base = base;
    this.#responders = responders;
  }

  /** The call toward the wire as step `index` sees it: its sends pass the steps before it. */
  wireOf(index: number): ServerInterceptingCallInterface {
    return new StepWire(this, this.#base, index - 1);
  }

  /** The one responder of the layer, for `new ServerInterceptingCall(base, responder)`. */
  responder(): Responder {
    const last = this.#responders.length - 1;
    return {
      start: (next) => this.#start(0, next),
      sendMetadata: (metadata, next) => this.sendMetadataFrom(last, metadata, next),
      sendMessage: (message, next) => this.sendMessageFrom(last, message, next),
      sendStatus: (status, next) => this.sendStatusFrom(last, status, next),
    };
  }

  #start(from: number, next: (listener?: ServerListener) => void): void {
    for (let index = from; index < this.#responders.length; index++) {
      const start = this.#responders[index]?.start;
      if (!start) continue;
      start((listener) => {
        this.#listeners[index] = listener;
        this.#start(index + 1, next);
      });
      return;
    }
    next({
      onReceiveMetadata: (metadata, onward) => this.#receiveMetadata(0, metadata, onward),
      onReceiveMessage: (message, onward) => this.#receiveMessage(0, message, onward),
      onReceiveHalfClose: (onward) => this.#receiveHalfClose(0, onward),
      onCancel: () => this.#cancel(),
    });
  }

  #receiveMetadata(from: number, metadata: Metadata, onward: (metadata: Metadata) => void): void {
    handOn(this.#listeners, receiveMetadataHook, from, 1, metadata, onward, this.#isCancelled);
  }

  #receiveMessage(from: number, message: unknown, onward: (message: unknown) => void): void {
    handOn(this.#listeners, receiveMessageHook, from, 1, message, onward, this.#isCancelled);
  }

  #receiveHalfClose(from: number, onward: () => void): void {
    handOn(this.#listeners, receiveHalfCloseHook, from, 1, undefined, onward, this.#isCancelled);
  }

  #cancel(): void {
    this.#cancelled = true;
    for (const listener of this.#listeners) listener?.onCancel?.();
  }

  sendMetadataFrom(from: number, metadata: Metadata, onward: (metadata: Metadata) => void): void {
    handOn(this.#responders, sendMetadataHook, from, -1, metadata, onward);
  }

  sendMessageFrom(from: number, message: unknown, onward: (message: unknown) => void): void {
    handOn(this.#responders, sendMessageHook, from, -1, message, onward);
  }

  sendStatusFrom(from: number, status: Status, onward: (status: Status) => void): void {
    handOn(this.#responders, sendStatusHook, from, -1, status, onward);
  }
}

/** What a step's `wire` is: sends go through the steps before it, then to the chain's base call. */
class StepWire implements ServerInterceptingCallInterface {
  readonly #fused: FusedServerCall;
  readonly #base: ServerInterceptingCallInterface;
  readonly #below: number;

  constructor(fused: FusedServerCall, base: ServerInterceptingCallInterface, below: number) {
    this.#fused = fused;
    this.#base = base;
    this.#below = below;
  }

  start(_listener: Listener): void {
    throw new Error('A server step cannot start the call it intercepts');
  }

  sendMetadata(metadata: Metadata): void {
    this.#fused.sendMetadataFrom(this.#below, metadata, (passed) => this.#base.sendMetadata(passed));
  }

  sendMessage(message: unknown, callback: () => void): void {
    this.#fused.sendMessageFrom(this.#below, message, (passed) => this.#base.sendMessage(passed, callback));
  }

  sendStatus(status: Status): void {
    this.#fused.sendStatusFrom(this.#below, status, (passed) => this.#base.sendStatus(passed));
  }

  startRead(): void {
    this.#base.startRead();
  }

  getPeer(): string {
    return this.#base.getPeer();
  }

  getDeadline(): ReturnType<ServerInterceptingCallInterface['getDeadline']> {
    return this.#base.getDeadline();
  }

  getHost(): string {
    return this.#base.getHost();
  }

  getAuthContext(): ReturnType<ServerInterceptingCallInterface['getAuthContext']> {
    return this.#base.getAuthContext();
  }

  getConnectionInfo(): ReturnType<ServerInterceptingCallInterface['getConnectionInfo']> {
    return this.#base.getConnectionInfo();
  }

  getMetricsRecorder(): ReturnType<ServerInterceptingCallInterface['getMetricsRecorder']> {
    return this.#base.getMetricsRecorder();
  }
}
