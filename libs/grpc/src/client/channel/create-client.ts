import {
  credentials as grpcCredentials,
  type Client,
  type ChannelCredentials,
  type ClientOptions,
} from '@grpc/grpc-js';
import { channelScopeInterceptor } from './channel-scope.js';
import { resolveChannelOptions, type CreateClientOptions } from './channel-options.js';
import { acquireChannel } from './channel-pool.js';

/** A grpc-js client class, such as the generated `OrderServiceClient`. */
export type ClientConstructor<T extends Client> = new (
  address: string,
  credentials: ChannelCredentials,
  options?: Partial<ClientOptions>,
) => T;

const insecure = grpcCredentials.createInsecure();

/**
 * Creates a client of a generated service (`createClient(OrderServiceClient, target, { interceptors })`)
 * on the platform's channel defaults (keepalive, reconnect backoff, message limits), with the
 * given client chain. Clients of the same target, credentials and options share one channel;
 * `client.close()` gives this client's share back and closes the channel with the last one.
 */
export function createClient<T extends Client>(
  ClientClass: ClientConstructor<T>,
  target: string,
  options: CreateClientOptions = {},
): T {
  const channelOptions = resolveChannelOptions(options);
  const lease = acquireChannel(target, options.credentials ?? insecure, channelOptions);
  const client = new ClientClass(target, options.credentials ?? insecure, {
    channelOverride: lease.channel,
    interceptors: [channelScopeInterceptor({ target, channelOptions }), ...(options.interceptors ?? [])],
  });
  // grpc-js's close() would close the shared channel under the other clients.
  client.close = () => lease.release();
  return client;
}
