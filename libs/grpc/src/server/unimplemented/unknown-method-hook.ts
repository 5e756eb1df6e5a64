import type { Server } from '@grpc/grpc-js';
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';

/**
 * The private members of @grpc/grpc-js's Server (1.10 to 1.14) the audit relies on. grpc-js
 * answers a call to an unregistered path inside its HTTP/2 stream handler, before any
 * interceptor exists, so no public API sees it. Of that handler's steps:
 * - `_retrieveHandler(path)` is grpc-js's own decision (it returns null for an unknown path) and
 *   is called through `this`, so wrapping it on the instance works after `bindAsync` too (NestJS
 *   binds before handing the server out), unlike the stream listener bound at bind time;
 * - `_verifyContentType(stream, headers)` runs just before it, through `this` as well, and is
 *   the last step that sees the request headers (user-agent) and the stream (peer);
 * - `handlers` lists the registered paths, to tell an unknown method of a served service from
 *   an unknown service.
 * auditUnimplemented's spec pins these against the installed version.
 */
interface ServerInternals {
  handlers: Map<string, unknown>;
  _verifyContentType(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): boolean;
  _retrieveHandler(path: string): unknown;
}

/** What is known of a call to an unregistered path. */
export interface UnknownMethodCall {
  readonly path: string;
  readonly stream: ServerHttp2Stream;
  readonly headers: IncomingHttpHeaders;
}

const hooked = Symbol.for('@platform/grpc.unknownMethodHook');

function internalsOf(server: Server): ServerInternals {
  const internals = server as unknown as Partial<ServerInternals> & { [hooked]?: boolean };
  if (
    !(internals.handlers instanceof Map) ||
    typeof internals._verifyContentType !== 'function' ||
    typeof internals._retrieveHandler !== 'function'
  ) {
    throw new Error(
      'auditUnimplemented: this @grpc/grpc-js Server lacks the internals it hooks ' +
        '(handlers, _verifyContentType, _retrieveHandler; present in 1.10 to 1.14); check the installed version',
    );
  }
  if (internals[hooked]) throw new Error('auditUnimplemented: the server is audited already');
  return internals as ServerInternals;
}

/** The paths the server serves. */
export function registeredPaths(server: Server): Iterable<string> {
  return (server as unknown as ServerInternals).handlers.keys();
}

/**
 * Calls `onUnknown` for every call grpc-js answers UNIMPLEMENTED because no handler is
 * registered for its path, without changing that answer. Returns the function that removes the
 * hook. `onUnknown` must not throw: it runs inside grpc-js's stream handler.
 */
export function hookUnknownMethods(server: Server, onUnknown: (call: UnknownMethodCall) => void): () => void {
  const internals = internalsOf(server);
  const verifyContentType = internals._verifyContentType;
  const retrieveHandler = internals._retrieveHandler;
  let incoming: { stream: ServerHttp2Stream; headers: IncomingHttpHeaders } | undefined;

  internals._verifyContentType = function (this: ServerInternals, stream, headers) {
    incoming = { stream, headers };
    return verifyContentType.call(this, stream, headers);
  };
  internals._retrieveHandler = function (this: ServerInternals, path) {
    const handler = retrieveHandler.call(this, path);
    const call = incoming;
    incoming = undefined;
    if (handler === null && call && call.headers[':path'] === path) {
      onUnknown({ path, stream: call.stream, headers: call.headers });
    }
    return handler;
  };
  Object.defineProperty(internals, hooked, { value: true, configurable: true });

  return () => {
    // The originals live on the prototype; removing the own properties restores them.
    delete (internals as Partial<ServerInternals>)._verifyContentType;
    delete (internals as Partial<ServerInternals>)._retrieveHandler;
    delete (internals as { [hooked]?: boolean })[hooked];
  };
}
