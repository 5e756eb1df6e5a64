import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import type { Observable } from 'rxjs';
import { holdRequestStream, type PausableCall } from './hold-request-stream.js';

/** Nest's argument at `index` as the transport passed it: (request or requests, metadata, call). */
const TransportArgument = createParamDecorator((index: number, context: ExecutionContext): unknown =>
  context.getArgByIndex(index),
);

/** The Observable of requests Nest's gRPC transport passes, with its replay of early messages. */
type DrainableRequests = Observable<unknown> & { drainBuffer?: () => void };

/** Where Nest's gRPC transport passes the grpc-js call. */
const callIndex = 2;

function decoratedIndexes(target: object, key: string): number[] {
  const parameters = Reflect.getMetadata(ROUTE_ARGS_METADATA, target, key) as
    Record<string, unknown> | undefined;
  return Object.keys(parameters ?? {}).map((parameter) =>
    Number(parameter.slice(parameter.lastIndexOf(':') + 1)),
  );
}

/**
 * Makes a request-stream handler receive its requests through {@link holdRequestStream}, so
 * messages that arrive before it subscribes (after an await, or from a lazily built result) are
 * kept for it rather than lost, with no call in the handler. The grpc-js call, which pausing
 * needs, is bound to one parameter past the handler's own, and every parameter of the handler
 * without a decorator to the argument the transport passes there, so the handler sees
 * `(requests, metadata, call)` exactly as before. Writes the wrapped method into `descriptor`.
 */
export function holdRequestStreamArgument(
  target: object,
  prototype: object,
  key: string,
  descriptor: PropertyDescriptor,
): void {
  const handler = descriptor.value as (this: unknown, ...args: unknown[]) => unknown;
  const decorated = new Set(decoratedIndexes(target, key));
  const parameterCount = Math.max(handler.length, ...[...decorated].map((index) => index + 1), 1);
  for (let index = 1; index < parameterCount; index += 1) {
    if (!decorated.has(index)) TransportArgument(index)(prototype, key, index);
  }
  TransportArgument(callIndex)(prototype, key, parameterCount);
  const held = function (this: unknown, requests: DrainableRequests, ...rest: unknown[]): unknown {
    const call = rest[parameterCount - 1] as PausableCall;
    const heldRequests = holdRequestStream(requests, call);
    // Nest replays what arrived so far once the handler has returned (an async one: resolved),
    // also to a subscriber that saw it live meanwhile. Draining right after the hold subscribed
    // (synchronously: no message arrives in between) replays each early message exactly once.
    requests.drainBuffer?.();
    return handler.apply(this, [heldRequests, ...rest.slice(0, parameterCount - 1)]);
  };
  for (const metadataKey of Reflect.getMetadataKeys(handler)) {
    Reflect.defineMetadata(metadataKey, Reflect.getMetadata(metadataKey, handler), held);
  }
  Object.defineProperty(held, 'name', { value: handler.name });
  descriptor.value = held;
}
