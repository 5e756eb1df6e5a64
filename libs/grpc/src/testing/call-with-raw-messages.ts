import * as grpc from '@grpc/grpc-js';

/** The method to call: a member of a grpc-js service definition (`OrderServiceService.importOrders`). */
export interface RawMethod {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

const identity = (bytes: Buffer) => bytes;

/**
 * Calls a method with request messages sent exactly as given (serialized by the caller, so they
 * may hold what no generated client writes, such as invalid UTF-8), half-closes, reads every
 * answer, and resolves with the error the call ended with (`undefined` when it ended OK).
 * Unary and server-streaming methods take exactly one message.
 */
export function callWithRawMessages(
  address: string,
  method: RawMethod,
  messages: readonly Uint8Array[],
  metadata: grpc.Metadata = new grpc.Metadata(),
): Promise<grpc.ServiceError | undefined> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const deadline = Date.now() + 20_000;
  const requests = messages.map((message) => Buffer.from(message));
  const [single = Buffer.alloc(0)] = requests;
  return new Promise<grpc.ServiceError | undefined>((resolve) => {
    const done = (error: grpc.ServiceError | null | undefined) => resolve(error ?? undefined);
    if (!method.requestStream && !method.responseStream) {
      client.makeUnaryRequest(method.path, identity, identity, single, metadata, { deadline }, done);
      return;
    }
    if (!method.requestStream) {
      const call = client.makeServerStreamRequest(method.path, identity, identity, single, metadata, {
        deadline,
      });
      call.on('data', () => undefined);
      call.on('error', done);
      call.on('end', () => done(undefined));
      return;
    }
    if (!method.responseStream) {
      const call = client.makeClientStreamRequest(
        method.path,
        identity,
        identity,
        metadata,
        { deadline },
        done,
      );
      for (const request of requests) call.write(request);
      call.end();
      return;
    }
    const call = client.makeBidiStreamRequest(method.path, identity, identity, metadata, { deadline });
    call.on('data', () => undefined);
    call.on('error', done);
    call.on('end', () => done(undefined));
    for (const request of requests) call.write(request);
    call.end();
  }).finally(() => client.close());
}
