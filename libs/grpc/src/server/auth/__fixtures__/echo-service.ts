// A test service with the four call kinds, JSON on the wire, whose handlers answer with the
// principal they see: specs of interceptors run it on a real grpc-js server.
import * as grpc from '@grpc/grpc-js';
import type { Principal } from '@platform/core';
import { currentPrincipal } from '../principal.js';

/** What every echo call answers (once per request message for the streaming kinds). */
export interface EchoReply {
  subject: string | null;
  kind: Principal['kind'] | null;
  roles: readonly string[];
  /** The `text` of the request message(s) answered. */
  text: string;
}

export interface EchoRequest {
  text: string;
}

const serialize = (value: unknown) => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as unknown;

function method(name: string, requestStream: boolean, responseStream: boolean) {
  return {
    path: `/test.echo.v1.EchoService/${name}`,
    requestStream,
    responseStream,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

export const echoServiceName = 'test.echo.v1.EchoService';

export const echoServiceDefinition = {
  Unary: method('Unary', false, false),
  ClientStream: method('ClientStream', true, false),
  ServerStream: method('ServerStream', false, true),
  Bidi: method('Bidi', true, true),
} satisfies grpc.ServiceDefinition;

export const EchoClient = grpc.makeGenericClientConstructor(echoServiceDefinition, 'EchoService');
export type EchoClient = InstanceType<typeof EchoClient>;

function reply(text: string): EchoReply {
  const principal = currentPrincipal();
  return {
    subject: principal?.subject ?? null,
    kind: principal?.kind ?? null,
    roles: principal?.roles ?? [],
    text,
  };
}

/** Handlers; `calls` counts the calls that reached them. */
export function echoImplementation(calls = { count: 0 }): grpc.UntypedServiceImplementation {
  return {
    Unary: (call: grpc.ServerUnaryCall<EchoRequest, EchoReply>, callback: grpc.sendUnaryData<EchoReply>) => {
      calls.count += 1;
      callback(null, reply(call.request.text));
    },
    ClientStream: (
      call: grpc.ServerReadableStream<EchoRequest, EchoReply>,
      callback: grpc.sendUnaryData<EchoReply>,
    ) => {
      calls.count += 1;
      const texts: string[] = [];
      const principal = reply('');
      call.on('data', (request: EchoRequest) => texts.push(request.text));
      call.on('end', () => callback(null, { ...principal, text: texts.join(',') }));
    },
    ServerStream: (call: grpc.ServerWritableStream<EchoRequest, EchoReply>) => {
      calls.count += 1;
      call.write(reply(call.request.text));
      call.write(reply(call.request.text));
      call.end();
    },
    Bidi: (call: grpc.ServerDuplexStream<EchoRequest, EchoReply>) => {
      calls.count += 1;
      const principal = reply('');
      call.on('data', (request: EchoRequest) => call.write({ ...principal, text: request.text }));
      call.on('end', () => call.end());
    },
  };
}

/** Which of the four kinds to call. */
export type EchoKind = 'unary' | 'clientStream' | 'serverStream' | 'bidi';
export const echoKinds: readonly EchoKind[] = ['unary', 'clientStream', 'serverStream', 'bidi'];

/**
 * Makes one call of the given kind with `texts` as request(s) (the unary and server-streaming
 * kinds send the first), and resolves with every reply, or rejects with the ServiceError.
 */
export function callEcho(
  client: EchoClient,
  kind: EchoKind,
  options: { texts?: readonly string[]; metadata?: grpc.Metadata; callOptions?: grpc.CallOptions } = {},
): Promise<EchoReply[]> {
  const texts = options.texts ?? ['hello'];
  const metadata = options.metadata ?? new grpc.Metadata();
  const callOptions = options.callOptions ?? {};
  const { Unary, ClientStream, ServerStream, Bidi } = echoServiceDefinition;
  const first: EchoRequest = { text: texts[0] ?? '' };
  return new Promise((resolve, reject) => {
    const done = (error: grpc.ServiceError | null, response?: EchoReply) =>
      error ? reject(error) : resolve(response ? [response] : []);
    const collect = (stream: grpc.ClientReadableStream<EchoReply>) => {
      const replies: EchoReply[] = [];
      stream.on('data', (response: EchoReply) => replies.push(response));
      stream.on('error', reject);
      stream.on('end', () => resolve(replies));
    };
    const serialize = Unary.requestSerialize as (value: EchoRequest) => Buffer;
    const deserialize = Unary.responseDeserialize as (bytes: Buffer) => EchoReply;
    switch (kind) {
      case 'unary':
        client.makeUnaryRequest(Unary.path, serialize, deserialize, first, metadata, callOptions, done);
        return;
      case 'clientStream': {
        const stream = client.makeClientStreamRequest(
          ClientStream.path,
          serialize,
          deserialize,
          metadata,
          callOptions,
          done,
        );
        for (const text of texts) stream.write({ text });
        stream.end();
        return;
      }
      case 'serverStream':
        collect(
          client.makeServerStreamRequest(
            ServerStream.path,
            serialize,
            deserialize,
            first,
            metadata,
            callOptions,
          ),
        );
        return;
      case 'bidi': {
        const stream = client.makeBidiStreamRequest(Bidi.path, serialize, deserialize, metadata, callOptions);
        collect(stream);
        for (const text of texts) stream.write({ text });
        stream.end();
        return;
      }
    }
  });
}
