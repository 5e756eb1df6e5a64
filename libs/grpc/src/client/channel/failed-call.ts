import {
  InterceptingCall,
  Metadata,
  type InterceptingListener,
  type NextCall,
  type StatusObject,
} from '@grpc/grpc-js';

type CallInterface = ReturnType<NextCall>;
type MessageContext = Parameters<CallInterface['sendMessageWithContext']>[0];

/**
 * A client call that ends with `status` without touching the network: what an interceptor
 * returns to fail fast (no time left, circuit open). The status is delivered asynchronously,
 * after the caller got its call object, and only once.
 */
export function failedCall(
  status: Pick<StatusObject, 'code' | 'details'> & { metadata?: Metadata },
): InterceptingCall {
  let ended = false;
  const final: StatusObject = {
    code: status.code,
    details: status.details,
    metadata: status.metadata ?? new Metadata(),
  };
  let listener: Partial<InterceptingListener> | undefined;
  const end = (outcome: StatusObject) => {
    if (ended) return;
    ended = true;
    process.nextTick(() => listener?.onReceiveStatus?.(outcome));
  };
  const call: CallInterface = {
    start(_metadata, startListener) {
      listener = startListener;
      end(final);
    },
    // Writes complete at once so a client stream's writer never waits on a call that is over.
    sendMessageWithContext(context: MessageContext) {
      if (context.callback) process.nextTick(context.callback);
    },
    sendMessage() {
      // Nothing goes out: the call ended before it started.
    },
    startRead() {
      // No message will arrive.
    },
    halfClose() {
      // Nothing to close.
    },
    cancelWithStatus(code, details) {
      end({ code, details, metadata: new Metadata() });
    },
    getPeer: () => '',
    getAuthContext: () => null,
  };
  return new InterceptingCall(call);
}
