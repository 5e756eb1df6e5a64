import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';

/**
 * Whether the HTTP/2 stream under `call` is already closed: the client reset it (RST_STREAM,
 * as a cancel or an expired deadline sends) while the server has not answered.
 *
 * Node ends the readable side of a reset stream, and grpc-js (1.14) hands that end to the
 * handler as a half-close before it reports the cancellation; a handler that answers a
 * half-close at once (NestJS bidi streams) then gets its OK counted as sent, though the client
 * never received it. A genuine half-close leaves the stream open for the answer.
 *
 * The stream is the grpc-js base call's own (`stream`, not public API), so `call` must be the
 * call the first interceptor of the server receives; without it the answer is `false` (the
 * chain's spec fails if grpc-js renames it).
 */
export function streamWasReset(call: ServerInterceptingCallInterface): boolean {
  const stream: unknown = (call as { stream?: unknown }).stream;
  return typeof stream === 'object' && stream !== null && (stream as { closed?: unknown }).closed === true;
}
