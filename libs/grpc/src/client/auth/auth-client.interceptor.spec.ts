import * as grpc from '@grpc/grpc-js';
import { statusFromMetadata } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextInterceptor } from '../../server/context/context.interceptor.js';
import { errorInterceptor } from '../../server/errors/error.interceptor.js';
import {
  callEcho,
  EchoClient,
  echoImplementation,
  echoKinds,
  echoServiceDefinition,
  type EchoKind,
  type EchoReply,
  type EchoRequest,
} from '../../server/auth/__fixtures__/echo-service.js';
import {
  createTestKey,
  signToken,
  testAudience,
  testIssuer,
  type TestKey,
} from '../../server/auth/__fixtures__/tokens.js';
import { authClientInterceptor } from './auth-client.interceptor.js';
import type { AccessToken, AuthClientOptions, TokenProvider } from './auth-client-options.js';
import { authServerInterceptor } from '../../server/auth/auth.interceptor.js';
import { JwtVerifier } from '../../server/auth/jwt-verifier.js';
import { RefreshingTokenProvider } from './token-provider.js';

let key: TestKey;
let backend: RunningGrpcServer;
const backendCalls = { count: 0 };
let front: RunningGrpcServer;
const clients: grpc.Client[] = [];

function serverInterceptors() {
  return [
    contextInterceptor,
    errorInterceptor({ domain: 'test.platform' }),
    authServerInterceptor({
      verifier: new JwtVerifier({
        jwks: { keys: [key.publicJwk] },
        issuer: testIssuer,
        audience: testAudience,
      }),
    }),
  ];
}

function backendClient(options: AuthClientOptions): EchoClient {
  const client = new EchoClient(backend.address, grpc.credentials.createInsecure(), {
    interceptors: [authClientInterceptor(options)],
  });
  clients.push(client);
  return client;
}

/** A provider of service tokens that counts its calls. */
function serviceTokens(subject = 'order-service'): TokenProvider & { calls: number } {
  const provider = {
    calls: 0,
    getToken: async (): Promise<AccessToken> => {
      provider.calls += 1;
      const expiresAt = Math.floor(Date.now() / 1000) + 300;
      return {
        token: await signToken(key, { subject, roles: ['service'], expiresAt }),
        expiresAt: expiresAt * 1000,
      };
    },
  };
  return provider;
}

function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (caught: grpc.ServiceError) => caught,
  );
  const info = statusFromMetadata(error.metadata)?.details.errorInfo;
  return { code: error.code, message: error.details, reason: info?.reason, domain: info?.domain };
}

beforeAll(async () => {
  key = await createTestKey('key-1');
  backend = await startGrpcServer({
    services: [{ definition: echoServiceDefinition, implementation: echoImplementation(backendCalls) }],
    interceptors: serverInterceptors(),
  });
  // The front service's Unary handler calls the backend, with the call kind named in `text`,
  // forwarding the end user's token.
  const forwarding = backendClient({ forwardIncoming: true });
  front = await startGrpcServer({
    services: [
      {
        definition: echoServiceDefinition,
        implementation: {
          ...echoImplementation(),
          Unary: (
            call: grpc.ServerUnaryCall<EchoRequest, EchoReply>,
            callback: grpc.sendUnaryData<EchoReply>,
          ) => {
            callEcho(forwarding, call.request.text as EchoKind).then(
              ([reply]) => callback(null, reply),
              (error: grpc.ServiceError) => callback(error),
            );
          },
        },
      },
    ],
    interceptors: serverInterceptors(),
  });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await front.stop();
  await backend.stop();
});

describe('authClientInterceptor with a token provider', () => {
  it.each(echoKinds)('authenticates a %s call as the service, on a plaintext channel', async (kind) => {
    const provider = serviceTokens();
    const client = backendClient({ provider });

    const replies = await callEcho(client, kind, { texts: ['a', 'b'] });

    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) expect(reply).toMatchObject({ subject: 'order-service', kind: 'service' });
    expect(provider.calls).toBe(1);
  });

  it.each(echoKinds)(
    'fails a %s call UNAUTHENTICATED (TOKEN_UNAVAILABLE), unsent, when the provider fails',
    async (kind) => {
      const errors: unknown[] = [];
      const client = backendClient({
        provider: { getToken: () => Promise.reject(new Error('identity provider down')) },
        onTokenError: (error) => errors.push(error),
      });
      const before = backendCalls.count;

      const result = await failure(callEcho(client, kind));

      expect(result).toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
        reason: 'TOKEN_UNAVAILABLE',
        domain: 'auth.platform',
      });
      expect(result.message).not.toContain('identity provider down');
      expect(errors).toEqual([new Error('identity provider down')]);
      expect(backendCalls.count).toBe(before);
    },
  );

  it('fails the call UNAVAILABLE (TOKEN_UNAVAILABLE), unsent, when the token endpoint is unreachable', async () => {
    const unreachable = Object.assign(new Error('connect ECONNREFUSED'), { code: grpc.status.UNAVAILABLE });
    const client = backendClient({ provider: { getToken: () => Promise.reject(unreachable) } });
    const before = backendCalls.count;

    const result = await failure(callEcho(client, 'unary'));

    expect(result).toMatchObject({
      code: grpc.status.UNAVAILABLE,
      reason: 'TOKEN_UNAVAILABLE',
      domain: 'auth.platform',
    });
    expect(result.message).not.toContain('ECONNREFUSED');
    expect(backendCalls.count).toBe(before);
  });

  it('fails the call when the provider throws synchronously', async () => {
    const client = backendClient({
      provider: {
        getToken: () => {
          throw new Error('misconfigured');
        },
      },
    });
    expect(await failure(callEcho(client, 'unary'))).toMatchObject({ reason: 'TOKEN_UNAVAILABLE' });
  });

  it('sends an authorization the caller set explicitly as is', async () => {
    const provider = serviceTokens();
    const client = backendClient({ provider });
    const userToken = await signToken(key, { subject: 'user-5' });

    const [reply] = await callEcho(client, 'unary', { metadata: bearer(userToken) });

    expect(reply).toMatchObject({ subject: 'user-5' });
    expect(provider.calls).toBe(0);
  });

  it.each(['clientStream', 'bidi'] as const)(
    'holds every %s message while the token is fetched, and sends them in order',
    async (kind) => {
      const slow: TokenProvider = {
        getToken: async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return serviceTokens().getToken();
        },
      };
      const client = backendClient({ provider: slow });

      const replies = await callEcho(client, kind, { texts: ['a', 'b', 'c', 'd'] });

      expect(replies.map((reply) => reply.text).join(',')).toBe('a,b,c,d');
    },
  );

  it('honours the deadline while the token is being fetched', async () => {
    const client = backendClient({ provider: { getToken: () => new Promise<AccessToken>(() => undefined) } });

    // The token never comes: only the deadline can end this call.
    const result = await failure(callEcho(client, 'unary', { callOptions: { deadline: Date.now() + 200 } }));

    expect(result.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it('honours cancellation while the token is being fetched', async () => {
    const client = backendClient({ provider: { getToken: () => new Promise<AccessToken>(() => undefined) } });

    const outcome = new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.makeUnaryRequest(
        echoServiceDefinition.Unary.path,
        echoServiceDefinition.Unary.requestSerialize,
        echoServiceDefinition.Unary.responseDeserialize,
        { text: 'x' },
        (error) => resolve(error),
      );
      setTimeout(() => call.cancel(), 20);
    });

    expect((await outcome)?.code).toBe(grpc.status.CANCELLED);
  });

  it('shares one token refresh between 20 concurrent calls', async () => {
    let fetches = 0;
    const provider = new RefreshingTokenProvider(async () => {
      fetches += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return serviceTokens().getToken();
    });
    const client = backendClient({ provider });

    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, index) => callEcho(client, echoKinds[index % 4] ?? 'unary')),
    );

    expect(replies.flat().every((reply) => reply.subject === 'order-service')).toBe(true);
    expect(fetches).toBe(1);
  });

  it.each(echoKinds)("sends a provider's cached token on a %s call without asking for it", async (kind) => {
    const token = await serviceTokens().getToken();
    const provider = { ...serviceTokens(), cachedToken: () => token };
    const client = backendClient({ provider });

    const replies = await callEcho(client, kind, { texts: ['a', 'b'] });

    for (const reply of replies) expect(reply).toMatchObject({ subject: 'order-service', kind: 'service' });
    expect(provider.calls).toBe(0);
  });
});

describe('authClientInterceptor forwarding the incoming token', () => {
  it.each(echoKinds)(
    "forwards the end user's token on a %s call made while handling a request",
    async (kind) => {
      const frontClient = new EchoClient(front.address, grpc.credentials.createInsecure());
      clients.push(frontClient);
      const userToken = await signToken(key, { subject: 'user-77', roles: ['user'] });

      const [reply] = await callEcho(frontClient, 'unary', { texts: [kind], metadata: bearer(userToken) });

      expect(reply).toMatchObject({ subject: 'user-77', kind: 'user' });
    },
  );

  it('falls back to the provider outside a server call', async () => {
    const client = backendClient({ forwardIncoming: true, provider: serviceTokens('fulfillment-worker') });

    const [reply] = await callEcho(client, 'unary');

    expect(reply).toMatchObject({ subject: 'fulfillment-worker', kind: 'service' });
  });

  it('fails TOKEN_UNAVAILABLE without a token to forward and no provider', async () => {
    const client = backendClient({ forwardIncoming: true });
    const before = backendCalls.count;

    expect(await failure(callEcho(client, 'unary'))).toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      reason: 'TOKEN_UNAVAILABLE',
    });
    expect(backendCalls.count).toBe(before);
  });
});
