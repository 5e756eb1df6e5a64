import { InterceptingCall, type NextCall } from '@grpc/grpc-js';

/**
 * The call below as what an interceptor returns, for an interceptor that changes nothing of the
 * call itself: a layer of its own would only pass every event through (and wrap the listener per
 * call), so the call below is returned as it is when it is already an InterceptingCall.
 */
export function asInterceptingCall(call: ReturnType<NextCall>): InterceptingCall {
  return call instanceof InterceptingCall ? call : new InterceptingCall(call);
}
