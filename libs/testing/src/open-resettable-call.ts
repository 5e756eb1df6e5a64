import { connect } from 'node:http2';

/** A gRPC call on a bare HTTP/2 stream, left open until the test resets it. */
export interface ResettableCall {
  /** Sends one message (its encoded bytes), length-prefixed and uncompressed. */
  send(message: Uint8Array): void;
  /** Half-closes the request: what a client does after a server-streaming call's one request. */
  halfClose(): void;
  /** The next response message's bytes, in arrival order. */
  nextMessage(): Promise<Uint8Array>;
  /**
   * Cancels the call as grpc-go does: RST_STREAM with CANCEL and nothing before it (grpc-js
   * and Node's `close()` half-close the request first). Resolves once the connection is closed.
   */
  reset(): Promise<void>;
}

/**
 * Opens a call of `path` (`/platform.order.v1.OrderService/TrackOrders`) on `address` over a
 * connection of its own, sending `metadata` as request headers. The request stays open unless
 * the test half-closes it; the call ends by {@link ResettableCall.reset}.
 */
export function openResettableCall(
  address: string,
  path: string,
  metadata: Record<string, string> = {},
): ResettableCall {
  const session = connect(`http://${address}`);
  const abort = new AbortController();
  const stream = session.request(
    {
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...metadata,
    },
    { endStream: false, signal: abort.signal },
  );
  // The abort surfaces as an AbortError on the stream: expected.
  stream.on('error', () => undefined);
  session.on('error', () => undefined);

  let buffered = Buffer.alloc(0);
  const messages: Uint8Array[] = [];
  const waiting: ((message: Uint8Array) => void)[] = [];
  stream.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 5 && buffered.length >= 5 + buffered.readUInt32BE(1)) {
      const length = buffered.readUInt32BE(1);
      const message = buffered.subarray(5, 5 + length);
      buffered = buffered.subarray(5 + length);
      const waiter = waiting.shift();
      if (waiter) waiter(message);
      else messages.push(message);
    }
  });

  return {
    send(message) {
      const prefix = Buffer.alloc(5);
      prefix.writeUInt32BE(message.length, 1);
      stream.write(Buffer.concat([prefix, message]));
    },
    halfClose() {
      stream.end();
    },
    nextMessage() {
      const message = messages.shift();
      return message ? Promise.resolve(message) : new Promise((resolve) => waiting.push(resolve));
    },
    reset() {
      // Node resets an aborted request with CANCEL, without ending it first.
      abort.abort();
      return new Promise((resolve) => session.close(resolve));
    },
  };
}
