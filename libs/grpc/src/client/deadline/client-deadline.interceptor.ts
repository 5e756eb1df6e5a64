import { InterceptingCall, RequesterBuilder, status as GrpcStatus, type Interceptor } from '@grpc/grpc-js';
import { describeMethod, type MethodInfo } from '../../call/method-info.js';
import { epochMsOf } from '../channel/epoch-ms.js';
import { failedCall } from '../channel/failed-call.js';
import { currentScope, type CallScope } from '@platform/core';
import type { DeadlineClientOptions } from './client-deadline-options.js';

const defaultUnaryDeadlineMs = 10_000;
const defaultMarginMs = 10;

function upstreamEndCode(incoming: CallScope): GrpcStatus {
  return incoming.deadline !== undefined && Date.now() >= incoming.deadline
    ? GrpcStatus.DEADLINE_EXCEEDED
    : GrpcStatus.CANCELLED;
}

/**
 * Client deadline interceptor, first in the client chain: every outgoing call gets a deadline
 * (the caller's, else the default). Inside a call scope (a gRPC call or a Kafka handler), the outgoing
 * deadline is also at most the scope's deadline minus `marginMs`, and the outgoing call is cancelled
 * when the scope's signal aborts (client cancel, deadline, shutdown). A call with no time left fails
 * DEADLINE_EXCEEDED without being sent.
 */
export function deadlineClientInterceptor(options: DeadlineClientOptions = {}): Interceptor {
  const marginMs = options.marginMs ?? defaultMarginMs;
  const { defaultDeadlineMs = defaultUnaryDeadlineMs } = options;
  const defaultFor =
    typeof defaultDeadlineMs === 'function'
      ? defaultDeadlineMs
      : (_path: string, method: MethodInfo) => (method.type === 'unary' ? defaultDeadlineMs : undefined);

  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const method = describeMethod(definition.path, definition.requestStream, definition.responseStream);
    const ownDeadline = epochMsOf(callOptions.deadline);
    const fallbackMs = ownDeadline === undefined ? defaultFor(method.path, method) : undefined;
    let deadline = ownDeadline ?? (fallbackMs === undefined ? undefined : Date.now() + fallbackMs);

    // The work being served, a gRPC call or a Kafka event alike: its budget and cancellation pass on.
    const incoming = currentScope();
    if (incoming?.signal.aborted) {
      return failedCall({ code: upstreamEndCode(incoming), details: 'The incoming call already ended' });
    }
    if (incoming?.deadline !== undefined) {
      const inherited = incoming.deadline - marginMs;
      if (inherited <= Date.now()) {
        return failedCall({
          code: GrpcStatus.DEADLINE_EXCEEDED,
          details: `No time left for ${method.path}: the incoming deadline is less than ${marginMs} ms away`,
        });
      }
      deadline = Math.min(deadline ?? Number.POSITIVE_INFINITY, inherited);
    }

    const call = nextCall(deadline === undefined ? callOptions : { ...callOptions, deadline });
    if (!incoming) return new InterceptingCall(call);

    const cancelDownstream = () =>
      call.cancelWithStatus(upstreamEndCode(incoming), 'The incoming call ended; cancelled downstream');
    incoming.signal.addEventListener('abort', cancelDownstream, { once: true });
    const requester = new RequesterBuilder()
      .withStart((metadata, _listener, next) =>
        next(metadata, {
          onReceiveStatus: (status, nextStatus) => {
            incoming.signal.removeEventListener('abort', cancelDownstream);
            nextStatus(status);
          },
        }),
      )
      .build();
    return new InterceptingCall(call, requester);
  };
}
