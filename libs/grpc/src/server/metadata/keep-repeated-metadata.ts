import type { Server } from '@grpc/grpc-js';
import type { Http2Server, Http2SecureServer, IncomingHttpHeaders } from 'node:http2';

type AnyHttp2Server = Http2Server | Http2SecureServer;

/**
 * The private members of @grpc/grpc-js's Server (1.10 to 1.14) this relies on: `http2Servers`
 * (the HTTP/2 servers of the ports bound so far) and `_setupHandlers(http2Server, …)`, called
 * through `this` for every port bound later. keepRepeatedMetadata's spec pins them.
 */
interface ServerInternals {
  http2Servers: Map<AnyHttp2Server, unknown>;
  _setupHandlers(http2Server: AnyHttp2Server, ...rest: unknown[]): void;
}

const hooked = Symbol.for('@platform/grpc.keepRepeatedMetadata');

/** Names grpc-js itself reads as one value, and HTTP/2 pseudo-headers: left as Node made them. */
function isReserved(name: string): boolean {
  return name.startsWith(':') || name.startsWith('grpc-') || name === 'content-type' || name === 'te';
}

/**
 * A prepended `stream` listener: it runs before grpc-js's and gives every repeated header field
 * back as a list of values in the headers object grpc-js turns into metadata.
 */
function restoreRepeated(
  _stream: unknown,
  headers: IncomingHttpHeaders,
  _flags: number,
  raw: string[],
): void {
  let repeated: Set<string> | undefined;
  const names = new Set<string>();
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    if (names.has(name)) (repeated ??= new Set()).add(name);
    else names.add(name);
  }
  if (!repeated) return;
  for (const name of repeated) {
    if (isReserved(name)) continue;
    const values: string[] = [];
    for (let index = 0; index < raw.length; index += 2)
      if (raw[index] === name) values.push(raw[index + 1] as string);
    headers[name] = values;
  }
}

function internalsOf(server: Server): ServerInternals & { [hooked]?: boolean } {
  const internals = server as unknown as Partial<ServerInternals> & { [hooked]?: boolean };
  if (!(internals.http2Servers instanceof Map) || typeof internals._setupHandlers !== 'function') {
    throw new Error(
      'keepRepeatedMetadata: this @grpc/grpc-js Server lacks the internals it hooks ' +
        '(http2Servers, _setupHandlers; present in 1.10 to 1.14); check the installed version',
    );
  }
  return internals as ServerInternals & { [hooked]?: boolean };
}

/**
 * Makes each header field of a request one metadata value, as gRPC defines metadata. Node's
 * HTTP/2 layer keeps only the first of repeated `authorization` (and other single-value HTTP
 * headers) and joins other repeated headers with ", " before grpc-js sees them, so a call with
 * two `authorization` values would be decided on the first. With this, interceptors see every
 * value: the auth interceptor refuses several (TOKEN_MALFORMED), trace context reads several
 * `traceparent` as invalid (W3C). Reserved names (`grpc-*`, `content-type`, `te`) are left alone.
 *
 * Call it before or after `bindAsync` (NestJS binds before handing the server out); idempotent.
 */
export function keepRepeatedMetadata(server: Server): void {
  const internals = internalsOf(server);
  if (internals[hooked]) return;
  for (const http2Server of internals.http2Servers.keys())
    http2Server.prependListener('stream', restoreRepeated);
  const setupHandlers = internals._setupHandlers;
  internals._setupHandlers = function (this: ServerInternals, http2Server, ...rest) {
    setupHandlers.call(this, http2Server, ...rest);
    // grpc-js calls it with null for a port that failed to bind.
    (http2Server as AnyHttp2Server | null)?.prependListener('stream', restoreRepeated);
  };
  Object.defineProperty(internals, hooked, { value: true });
}
