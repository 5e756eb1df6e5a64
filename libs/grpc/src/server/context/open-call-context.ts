import type { Responder, ServerInterceptingCallInterface, ServerMethodDefinition } from '@grpc/grpc-js';
import '../../call/grpc-error-shape.js';
import { describeMethod } from '../../call/method-info.js';
import { runInCall } from '@platform/core';
import { GrpcCallContext } from './grpc-call-context.js';
import { streamWasReset } from './stream-was-reset.js';

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
): { context: GrpcCallContext; responder: Responder } {
  const context = new GrpcCallContext(
    describeMethod(definition.path, definition.requestStream, definition.responseStream),
    call.getPeer(),
    deadlineOf(call.getDeadline()),
  );
  const responder: Responder = {
    start: (next) =>
      next({
        onReceiveMetadata: (metadata, onward) => {
          context.metadata = metadata;
          runInCall(context, () => onward(metadata));
        },
        onReceiveMessage: (message, onward) => runInCall(context, () => onward(message)),
        onReceiveHalfClose: (onward) => {
          if (!context.ended && streamWasReset(call)) context.clientGone();
          else runInCall(context, onward);
        },
        onCancel: () => context.clientGone(),
      }),
    sendStatus: (status, onward) => {
      context.end({ code: status.code, details: status.details, metadata: status.metadata });
      onward(status);
    },
  };
  return { context, responder };
}
