import type { Metadata, Responder, ServerInterceptingCallInterface, ServerListener } from '@grpc/grpc-js';

type Status = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];
type Listener = ServerInterceptingCallInterface['start'] extends (listener: infer L) => void ? L : never;

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
    for (let index = from; index < this.#listeners.length; index++) {
      const hook = this.#listeners[index]?.onReceiveMetadata;
      if (!hook) continue;
      hook(metadata, (passed) => {
        if (!this.#cancelled) this.#receiveMetadata(index + 1, passed, onward);
      });
      return;
    }
    onward(metadata);
  }

  #receiveMessage(from: number, message: unknown, onward: (message: unknown) => void): void {
    for (let index = from; index < this.#listeners.length; index++) {
      const hook = this.#listeners[index]?.onReceiveMessage;
      if (!hook) continue;
      hook(message, (passed) => {
        if (!this.#cancelled) this.#receiveMessage(index + 1, passed, onward);
      });
      return;
    }
    onward(message);
  }

  #receiveHalfClose(from: number, onward: () => void): void {
    for (let index = from; index < this.#listeners.length; index++) {
      const hook = this.#listeners[index]?.onReceiveHalfClose;
      if (!hook) continue;
      hook(() => {
        if (!this.#cancelled) this.#receiveHalfClose(index + 1, onward);
      });
      return;
    }
    onward();
  }

  #cancel(): void {
    this.#cancelled = true;
    for (const listener of this.#listeners) listener?.onCancel?.();
  }

  sendMetadataFrom(from: number, metadata: Metadata, onward: (metadata: Metadata) => void): void {
    for (let index = from; index >= 0; index--) {
      const hook = this.#responders[index]?.sendMetadata;
      if (!hook) continue;
      hook(metadata, (passed) => this.sendMetadataFrom(index - 1, passed, onward));
      return;
    }
    onward(metadata);
  }

  sendMessageFrom(from: number, message: unknown, onward: (message: unknown) => void): void {
    for (let index = from; index >= 0; index--) {
      const hook = this.#responders[index]?.sendMessage;
      if (!hook) continue;
      hook(message, (passed) => this.sendMessageFrom(index - 1, passed, onward));
      return;
    }
    onward(message);
  }

  sendStatusFrom(from: number, status: Status, onward: (status: Status) => void): void {
    for (let index = from; index >= 0; index--) {
      const hook = this.#responders[index]?.sendStatus;
      if (!hook) continue;
      hook(status, (passed) => this.sendStatusFrom(index - 1, passed, onward));
      return;
    }
    onward(status);
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
