import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  ClientError,
  createClient,
  createClientChain,
  RefreshingTokenProvider,
  unaryCall,
  type ClientChainOptions,
} from '@platform/grpc';
import { AuthenticateRequest, fromTimestamp, UserServiceClient } from '@platform/proto';
import type { OrderServiceConfig } from './order-service.config.js';

/**
 * The order service's client of the user service, authenticated as the service principal
 * `AUTH_CLIENT_ID`: its token comes from UserService.Authenticate (client credentials) and is
 * refreshed before it expires. Returns the client and a `close`.
 */
export function createUserServiceClient(
  config: OrderServiceConfig,
  chain: Omit<ClientChainOptions, 'auth' | 'deadline'>,
): { users: UserServiceClient; close(): void } {
  const deadline = { defaultDeadlineMs: config.USER_SERVICE_TIMEOUT };
  // Sign-in goes out on its own client, without the token it is there to fetch.
  const signIn = createClient(UserServiceClient, config.USER_SERVICE_ADDRESS, {
    interceptors: createClientChain({ ...chain, deadline, auth: false }),
  });
  const provider = new RefreshingTokenProvider(async () => {
    const response = await unaryCall(
      signIn.authenticate.bind(signIn),
      AuthenticateRequest.create({
        client: {
          clientId: config.AUTH_CLIENT_ID,
          clientSecret: config.AUTH_CLIENT_SECRET,
        },
      }),
    );
    if (!response.expireTime)
      throw new ClientError(GrpcStatus.INTERNAL, 'Authenticate answered without an expiry');
    return { token: response.accessToken, expiresAt: fromTimestamp(response.expireTime).getTime() };
  });
  const users = createClient(UserServiceClient, config.USER_SERVICE_ADDRESS, {
    interceptors: createClientChain({ ...chain, deadline, auth: { provider } }),
  });
  return {
    users,
    close() {
      users.close();
      signIn.close();
    },
  };
}
