import {
  Metadata,
  type Client,
  type ClientUnaryCall,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { unaryCall, type UnaryCallOptions } from './unary-call.js';

/** Per call: request metadata, plus grpc-js call options and an AbortSignal. */
export interface PromiseCallOptions extends UnaryCallOptions {
  metadata?: Metadata;
}

type UnaryForm<Request, Response> = (
  request: Request,
  metadata: Metadata,
  options: object,
  callback: (error: ServiceError | null, response: Response) => void,
) => ClientUnaryCall;

/** The unary methods of a generated grpc-js client, as functions returning promises. */
export type PromiseClient<C> = {
  [
    K in keyof C as C[K] extends UnaryForm<infer _Request, infer _Response> ? K : never
  ]: C[K] extends UnaryForm<infer Request, infer Response>
    ? (request: Request, options?: PromiseCallOptions) => Promise<Response>
    : never;
};

/**
 * The unary methods of a generated client (`createClient(UserServiceClient, …)`) as promises that
 * reject with `ClientError`: `await users.getUser({ userId }, { deadline })`. Streaming methods
 * stay on the client itself.
 */
export function promiseClient<C extends Client>(client: C): PromiseClient<C> {
  const definition = (client.constructor as { service?: ServiceDefinition }).service;
  if (!definition) throw new TypeError('promiseClient needs a client made from a service definition');
  const methods: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    if (method.requestStream || method.responseStream) continue;
    const call = (client as unknown as Record<string, UnaryForm<unknown, unknown>>)[name];
    if (typeof call !== 'function') continue;
    methods[name] = (request: unknown, { metadata, ...options }: PromiseCallOptions = {}) =>
      unaryCall(call.bind(client), request, metadata ?? new Metadata(), options);
  }
  return methods as PromiseClient<C>;
}

/** Request metadata carrying a bearer token: `{ metadata: bearer(token) }`. */
export function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
