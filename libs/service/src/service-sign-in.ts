import { status as GrpcStatus, type ChannelOptions, type Client as GrpcClient } from '@grpc/grpc-js';
import {
  AuthErrorReason,
  ClientError,
  createClient,
  createClientChain,
  RefreshingTokenProvider,
  unaryCall,
  type AccessToken,
  type ClientChainOptions,
  type ClientConstructor,
  type TokenProvider,
} from '@platform/grpc';
import { AuthenticateRequest, fromTimestamp, UserServiceClient } from '@platform/proto';

/** Options of {@link ServiceSignIn}. */
export interface ServiceSignInOptions {
  /** The user service, whose `Authenticate` signs the service in: `host:port` or a gRPC target. */
  userServiceAddress: string;
  /** Deadline of one sign-in call, ms. */
  timeoutMs: number;
  clientId: string;
  clientSecret: string;
  /** The client chain of the sign-in calls and of {@link ServiceSignIn.client}'s (tracing, metrics, logging, retries …). */
  chain: Omit<ClientChainOptions, 'auth' | 'deadline'>;
}

/** The variables of a service that signs in: where the user service is, and its client credentials. */
export interface ServiceSignInConfig {
  readonly USER_SERVICE_ADDRESS: string;
  readonly USER_SERVICE_TIMEOUT: number;
  readonly AUTH_CLIENT_ID: string;
  readonly AUTH_CLIENT_SECRET: string;
}

/** Whether the callee refused the token sent (not: no token could be had). */
function tokenRefused(error: unknown): boolean {
  return (
    error instanceof ClientError &&
    error.code === GrpcStatus.UNAUTHENTICATED &&
    error.reason !== AuthErrorReason.TOKEN_UNAVAILABLE
  );
}

/**
 * A service principal's sign-in: its token comes from UserService.Authenticate (client
 * credentials) and is refreshed before it expires; clients made with {@link client} send it.
 * A token the callee refuses (a rotated key, a clock jump) is dropped and fetched again once
 * through {@link retryRefused}, the one place both the order service and the worker call.
 */
export class ServiceSignIn implements TokenProvider {
  private readonly signIn: UserServiceClient;
  private readonly clients: { close(): void }[] = [];
  private tokens: RefreshingTokenProvider;

  constructor(private readonly options: ServiceSignInOptions) {
    // Sign-in goes out on its own client, without the token it is there to fetch.
    this.signIn = createClient(UserServiceClient, options.userServiceAddress, {
      interceptors: createClientChain({
        ...options.chain,
        deadline: { defaultDeadlineMs: options.timeoutMs },
        auth: false,
      }),
    });
    this.tokens = new RefreshingTokenProvider(() => this.fetchToken());
  }

  /** The sign-in its configuration describes (USER_SERVICE_ADDRESS, AUTH_CLIENT_ID …). */
  static fromConfig(config: ServiceSignInConfig, chain: ServiceSignInOptions['chain']): ServiceSignIn {
    return new ServiceSignIn({
      userServiceAddress: config.USER_SERVICE_ADDRESS,
      timeoutMs: config.USER_SERVICE_TIMEOUT,
      clientId: config.AUTH_CLIENT_ID,
      clientSecret: config.AUTH_CLIENT_SECRET,
      chain,
    });
  }

  getToken(): Promise<AccessToken> {
    return this.tokens.getToken();
  }

  /**
   * The token while no refresh is due: the auth interceptor then sends it at once instead of
   * waiting for `getToken` (a promise chain and a deadline timer per call).
   */
  cachedToken(): AccessToken | undefined {
    return this.tokens.cachedToken();
  }

  /**
   * A generated client of `target` whose calls carry the token, with `timeoutMs` as their default
   * deadline; `channelOptions` go to grpc-js (a `grpc.service_config` choosing the balancing policy).
   */
  client<Client extends GrpcClient>(
    Client: ClientConstructor<Client>,
    target: string,
    timeoutMs: number,
    channelOptions?: ChannelOptions,
  ): Client {
    const client = createClient(Client, target, {
      interceptors: createClientChain({
        ...this.options.chain,
        deadline: { defaultDeadlineMs: timeoutMs },
        auth: { provider: this },
      }),
      channelOptions,
    });
    this.clients.push(client);
    return client;
  }

  /** Runs `call`; when the callee refused the token, signs in again and runs it once more. */
  async retryRefused<T>(call: () => Promise<T>): Promise<T> {
    const refusedProvider = this.tokens;
    try {
      return await call();
    } catch (error) {
      if (!tokenRefused(error)) throw error;
      // Calls in flight together are refused together: the first drops the token, the others
      // retry with the one it fetches (a sign-in per refused token, not per refused call).
      if (this.tokens === refusedProvider) this.tokens = new RefreshingTokenProvider(() => this.fetchToken());
      // A second refusal is the caller's to judge.
      return call();
    }
  }

  /** Closes the clients made here and the sign-in client. */
  close(): void {
    for (const client of this.clients.splice(0)) client.close();
    this.signIn.close();
  }

  private async fetchToken(): Promise<AccessToken> {
    const { clientId, clientSecret } = this.options;
    const response = await unaryCall(
      this.signIn.authenticate.bind(this.signIn),
      AuthenticateRequest.create({ client: { clientId, clientSecret } }),
    );
    if (!response.expireTime)
      throw new ClientError(GrpcStatus.INTERNAL, 'Authenticate answered without an expiry');
    return { token: response.accessToken, expiresAt: fromTimestamp(response.expireTime).getTime() };
  }
}
