import {
  Metadata,
  ResponderBuilder,
  ServerListenerBuilder,
  status as GrpcStatus,
  type Responder,
  type ServerInterceptingCallInterface,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import '../../call/grpc-error-shape.js';
import { describeMethod } from '../../call/method-info.js';
import { deadlineExceeded, runInCall } from '@platform/core';
import { grpcCallBrand, type CallContext, type CallOutcome } from './call-context.js';
import { streamWasReset } from './stream-was-reset.js';

// A client whose deadline expires cancels the stream (RST_STREAM CANCEL, like an explicit
// cancel), and it computed its deadline before the request reached us: under load our copy of the
// deadline (now + grpc-timeout) runs tens of milliseconds later than the client's. A cancellation
// within the last tenth of the call's time (20 ms to 250 ms) is therefore the deadline; a client
// cancelling that close to its own deadline is moot.
function deadlineSlackMs(totalMs: number): number {
  return Math.min(250, Math.max(20, totalMs / 10));
}

function deadlineOf(deadline: Date | number): number | undefined {
  const epochMs = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(epochMs) ? epochMs : undefined;
}

/**
 * Creates the {@link CallContext} of an incoming call and the responder that runs everything
 * downstream (the rest of the chain and the handler) inside it and ends it once with the status
 * the client got. grpc-js sends DEADLINE_EXCEEDED and handles client cancellation below the
 * interceptors, so those outcomes are inferred from `onCancel`, or from a half-close on a stream
 * the client reset (which never reaches the handler: it is no end of input, and an answer to it
 * would be counted though never sent). `call` must be the one the server's first interceptor
 * receives.
 */
export function openCallContext(
  definition: ServerMethodDefinition<unknown, unknown>,
  call: ServerInterceptingCallInterface,
): { context: CallContext; responder: Responder } {
  // The signal and the slots are made when first read: most calls end without using them.
  let slots: Map<symbol, unknown> | undefined;
  let controller: AbortController | undefined;
  let abortedWith: { reason: unknown } | undefined;
  const receivedAt = Date.now();
  const endCallbacks: ((outcome: CallOutcome) => void)[] = [];
  let ended = false;
  const context: CallContext = {
    name: definition.path,
    method: describeMethod(definition.path, definition.requestStream, definition.responseStream),
    metadata: new Metadata(),
    peer: call.getPeer(),
    deadline: deadlineOf(call.getDeadline()),
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (abortedWith) controller.abort(abortedWith.reason);
      }
      return controller.signal;
    },
    startedAt: performance.now(),
    get slots() {
      return (slots ??= new Map());
    },
    onEnd: (callback) => {
      if (ended) throw new Error('onEnd registered after the call ended');
      endCallbacks.push(callback);
    },
    [grpcCallBrand]: true,
  };

  const end = (outcome: CallOutcome) => {
    if (ended) return;
    ended = true;
    for (const callback of endCallbacks) callback(outcome);
  };

  const clientGone = () => {
    const deadlinePassed =
      context.deadline !== undefined &&
      Date.now() >= context.deadline - deadlineSlackMs(context.deadline - receivedAt);
    end(
      deadlinePassed
        ? { code: GrpcStatus.DEADLINE_EXCEEDED, details: 'Deadline exceeded' }
        : { code: GrpcStatus.CANCELLED, details: 'Cancelled by the client' },
    );
    const reason = deadlinePassed ? deadlineExceeded() : 'cancelled';
    if (controller) controller.abort(reason);
    else abortedWith ??= { reason };
  };

  const listener = new ServerListenerBuilder()
    .withOnReceiveMetadata((metadata, next) => {
      context.metadata = metadata;
      runInCall(context, () => next(metadata));
    })
    .withOnReceiveMessage((message, next) => runInCall(context, () => next(message)))
    .withOnReceiveHalfClose((next) => {
      if (!ended && streamWasReset(call)) clientGone();
      else runInCall(context, next);
    })
    .withOnCancel(clientGone)
    .build();

  const responder = new ResponderBuilder()
    .withStart((next) => next(listener))
    .withSendStatus((status, next) => {
      end({ code: status.code, details: status.details, metadata: status.metadata });
      next(status);
    })
    .build();
  return { context, responder };
}
