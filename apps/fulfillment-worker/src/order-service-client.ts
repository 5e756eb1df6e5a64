import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  AuthErrorReason,
  ClientError,
  createClient,
  createClientChain,
  RefreshingTokenProvider,
  unaryCall,
  type AccessToken,
  type ClientChainOptions,
  type TokenProvider,
} from '@platform/grpc';
import {
  AuthenticateRequest,
  ConfirmOrderRequest,
  fromTimestamp,
  OrderServiceClient,
  UserServiceClient,
} from '@platform/proto';
import type { OrderConfirmer } from './confirm-order-handler.js';
import type { FulfillmentWorkerConfig } from './fulfillment-worker.config.js';

/**
 * The worker's own token, from UserService.Authenticate (client credentials), refreshed before
 * it expires; `discard()` drops it when the order service refused it (a rotated key, a clock
 * jump), so the next call signs in again.
 */
class ServicePrincipalTokens implements TokenProvider {
  private provider: RefreshingTokenProvider;

  constructor(private readonly fetchToken: () => Promise<AccessToken>) {
    this.provider = new RefreshingTokenProvider(fetchToken);
  }

  getToken(): Promise<AccessToken> {
    return this.provider.getToken();
  }

  discard(): void {
    this.provider = new RefreshingTokenProvider(this.fetchToken);
  }
}

/** Whether the order service refused the token we sent (not: we could not get one). */
function tokenRefused(error: unknown): boolean {
  return (
    error instanceof ClientError &&
    error.code === GrpcStatus.UNAUTHENTICATED &&
    error.reason !== AuthErrorReason.TOKEN_UNAVAILABLE
  );
}

/**
 * The worker's client of the order service, authenticated as the service principal
 * `AUTH_CLIENT_ID` exactly like the order service's client of the user service: its token comes
 * from UserService.Authenticate and is refreshed before it expires. Every call has the
 * `ORDER_SERVICE_TIMEOUT` deadline and the given chain (tracing, metrics, logging, retries).
 */
export function createOrderServiceClient(
  config: FulfillmentWorkerConfig,
  chain: Omit<ClientChainOptions, 'auth' | 'deadline'>,
): OrderConfirmer & { close(): void } {
  // Sign-in goes out on its own client, without the token it is there to fetch.
  const signIn = createClient(UserServiceClient, config.USER_SERVICE_ADDRESS, {
    interceptors: createClientChain({
      ...chain,
      deadline: { defaultDeadlineMs: config.USER_SERVICE_TIMEOUT },
      auth: false,
    }),
  });
  const tokens = new ServicePrincipalTokens(async () => {
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
  const orders = createClient(OrderServiceClient, config.ORDER_SERVICE_ADDRESS, {
    interceptors: createClientChain({
      ...chain,
      deadline: { defaultDeadlineMs: config.ORDER_SERVICE_TIMEOUT },
      auth: { provider: tokens },
    }),
  });
  const confirmOnce = (orderId: string, signal: AbortSignal) =>
    unaryCall(orders.confirmOrder.bind(orders), ConfirmOrderRequest.create({ orderId }), undefined, {
      signal,
    });
  return {
    async confirm(orderId, signal) {
      try {
        await confirmOnce(orderId, signal);
      } catch (error) {
        if (!tokenRefused(error)) throw error;
        // Once more with a freshly fetched token; a second refusal is the caller's to judge.
        tokens.discard();
        await confirmOnce(orderId, signal);
      }
    },
    close() {
      orders.close();
      signIn.close();
    },
  };
}
