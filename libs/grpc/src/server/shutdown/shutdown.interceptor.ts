import { ResponderBuilder, ServerListenerBuilder } from '@grpc/grpc-js';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import { UnavailableError } from '@platform/core';
import { trackCall, type InFlightCalls } from './in-flight-calls.js';
import { statusOf } from '../../call/grpc-error-shape.js';

/** The status of calls refused, and of streams ended, because the server is going away. */
export function shuttingDownError(): UnavailableError {
  return new UnavailableError('The server is shutting down; retry on another instance', {
    reason: 'SHUTTING_DOWN',
  });
}

/**
 * Server interceptor that tracks every call in `inFlight` until it ends, so
 * {@link gracefulShutdown} can wait for requests and end long-lived streams, and that refuses
 * calls arriving once shutdown began with UNAVAILABLE (reason SHUTTING_DOWN): the client did not
 * get the call processed and may retry it elsewhere. It sees every method (no selector): a
 * stream it does not track would hold the shutdown until the force bound.
 */
export function shutdownInterceptor(inFlight: InFlightCalls) {
  return createServerInterceptor('shutdown', (context, wire) => {
    if (inFlight[trackCall](context, wire)) return undefined;
    // Not calling next() on the metadata keeps the handler from ever seeing the call.
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata(() => {
        const error = shuttingDownError();
        wire.sendStatus(statusOf(error));
      })
      .build();
    return new ResponderBuilder().withStart((next) => next(listener)).build();
  });
}
