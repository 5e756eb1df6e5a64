import { status as GrpcStatus, type Interceptor, type StatusObject } from '@grpc/grpc-js';
import type { MethodInfo } from '../../call/method-info.js';
import { clientStepInterceptor } from '../../chain/client-step-interceptor.js';
import type { ClientCallHooks, ClientStep, ClientStepCall } from '../../chain/client-step.js';
import { epochMsOf } from '../channel/epoch-ms.js';
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

  const step: ClientStep = {
    name: 'deadline',
    open(call) {
      const { method } = call;
      const ownDeadline = epochMsOf(call.options.deadline);
      const fallbackMs = ownDeadline === undefined ? defaultFor(method.path, method) : undefined;
      let deadline = ownDeadline ?? (fallbackMs === undefined ? undefined : Date.now() + fallbackMs);

      // The work being served, a gRPC call or a Kafka event alike: its budget and cancellation pass on.
      const incoming = currentScope();
      if (incoming?.signal.aborted) {
        call.fail({ code: upstreamEndCode(incoming), details: 'The incoming call already ended' });
        return undefined;
      }
      if (incoming?.deadline !== undefined) {
        const inherited = incoming.deadline - marginMs;
        if (inherited <= Date.now()) {
          call.fail({
            code: GrpcStatus.DEADLINE_EXCEEDED,
            details: `No time left for ${method.path}: the incoming deadline is less than ${marginMs} ms away`,
          });
          return undefined;
        }
        deadline = Math.min(deadline ?? Number.POSITIVE_INFINITY, inherited);
      }
      if (deadline !== undefined) call.options = { ...call.options, deadline };
      return incoming ? new IncomingCallLink(incoming, call) : undefined;
    },
  };
  return clientStepInterceptor(step);
}

/**
 * Cancels the outgoing call when the incoming one ends, until the outgoing call ends. It is its
 * own abort listener (`handleEvent`), so a call makes no closure for it.
 */
class IncomingCallLink implements ClientCallHooks {
  readonly #incoming: CallScope;
  readonly #call: ClientStepCall;

  constructor(incoming: CallScope, call: ClientStepCall) {
    this.#incoming = incoming;
    this.#call = call;
    incoming.signal.addEventListener('abort', this, { once: true });
  }

  handleEvent(): void {
    this.#call.cancelBelow(upstreamEndCode(this.#incoming), 'The incoming call ended; cancelled downstream');
  }

  onReceiveStatus(status: StatusObject, next: (status: StatusObject) => void): void {
    this.#incoming.signal.removeEventListener('abort', this);
    next(status);
  }
}
