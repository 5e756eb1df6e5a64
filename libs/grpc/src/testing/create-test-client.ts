import type { Client } from '@grpc/grpc-js';
import type { CreateClientOptions } from '../client/channel/channel-options.js';
import { createClient, type ClientConstructor } from '../client/channel/create-client.js';
import { deadlineClientInterceptor } from '../client/deadline/client-deadline.interceptor.js';

/**
 * A client of a service under test (`createTestClient(UserServiceClient, harness.address)`):
 * `createClient` with the client deadline interceptor first, so a unary call the test gives no
 * deadline ends DEADLINE_EXCEEDED after 10 s (the interceptor's default) instead of hanging
 * until the test times out; streams get none. `options.interceptors` run after it.
 */
export function createTestClient<T extends Client>(
  ClientClass: ClientConstructor<T>,
  address: string,
  options: CreateClientOptions = {},
): T {
  return createClient(ClientClass, address, {
    ...options,
    interceptors: [deadlineClientInterceptor(), ...(options.interceptors ?? [])],
  });
}
