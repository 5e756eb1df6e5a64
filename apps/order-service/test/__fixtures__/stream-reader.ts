import { status as GrpcStatus, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';

/** What a server stream delivered and how it ended. */
export interface StreamReader<T> {
  readonly messages: T[];
  /** Resolves when `count` messages have arrived (rejects if the stream ends first). */
  received(count: number): Promise<T[]>;
  /** Resolves with the status the stream ended with (OK included). */
  readonly ended: Promise<{ code: GrpcStatus; details: string; error?: ServiceError }>;
}

/** Collects a server stream's messages and its end, for assertions. */
export function readStream<T>(stream: ClientReadableStream<T>): StreamReader<T> {
  const messages: T[] = [];
  const waiters: { count: number; resolve: (messages: T[]) => void; reject: (error: Error) => void }[] = [];
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (messages.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(messages.slice(0, waiter.count));
      }
    }
  };
  const ended = new Promise<{ code: GrpcStatus; details: string; error?: ServiceError }>((resolve) => {
    stream.on('data', (message: T) => {
      messages.push(message);
      settle();
    });
    stream.on('error', (error: ServiceError) => resolve({ code: error.code, details: error.details, error }));
    stream.on('status', (status: { code: GrpcStatus; details: string }) => {
      if (status.code === GrpcStatus.OK) resolve({ code: status.code, details: status.details });
    });
  });
  let endedWith: GrpcStatus | undefined;
  const failWaiters = () => {
    for (const waiter of waiters.splice(0)) {
      waiter.reject(
        new Error(`stream ended ${GrpcStatus[endedWith ?? 0]} after ${messages.length} messages`),
      );
    }
  };
  void ended.then(({ code }) => {
    endedWith = code;
    failWaiters();
  });
  return {
    messages,
    ended,
    received(count) {
      return new Promise((resolve, reject) => {
        waiters.push({ count, resolve, reject });
        settle();
        if (endedWith !== undefined) failWaiters();
      });
    },
  };
}
