import { Metadata, type StatusObject } from '@grpc/grpc-js';
import { PlatformError } from '@platform/core';
import { statusDetailsKey } from '@platform/proto';

// grpc-js sends a failed handler's error as the status `{ code, details, metadata }` read off the
// error itself. Core's errors know no transport; these two getters give them that shape, so a
// handler (or the Nest adapter's filter) may throw one as it is and the client gets the
// serialized google.rpc.Status in the trailers. Loaded with this package: every server chain
// imports it.

declare module '@platform/core' {
  interface PlatformError {
    /** Read by grpc-js as the status message. */
    readonly details: string;
    /** Read by grpc-js as the trailers: the serialized google.rpc.Status. */
    readonly metadata: Metadata;
  }
}

/** The status a server sends (or a client interceptor ends a call with) for a platform error. */
export function statusOf(error: PlatformError): StatusObject {
  return { code: error.code, details: error.message, metadata: trailersOf(error) };
}

function trailersOf(error: PlatformError): Metadata {
  const trailers = new Metadata();
  trailers.set(statusDetailsKey, error.encodedStatus());
  return trailers;
}

Object.defineProperties(PlatformError.prototype, {
  details: {
    configurable: true,
    get(this: PlatformError): string {
      return this.message;
    },
  },
  metadata: {
    configurable: true,
    get(this: PlatformError): Metadata {
      return trailersOf(this);
    },
  },
});
