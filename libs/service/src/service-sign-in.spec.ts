// The service sign-in against a scripted user service on a real grpc-js server: Authenticate
// hands out `token-1`, `token-2` …; GetUser accepts only the tokens the test allows.
import { status as GrpcStatus, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { UnauthenticatedError } from '@platform/core';
import { AuthErrorReason, ClientError, unaryCall } from '@platform/grpc';
import { GetUserRequest, GetUserResponse, UserServiceClient, UserServiceService } from '@platform/proto';
import { freePort, scriptedAuthenticate, startGrpcServer } from '@platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ServiceSignIn } from './service-sign-in.js';

const secret = 'order-service-secret-0123456789';

async function startUserService(accepted: (token: string) => boolean) {
  const { authenticate, signIns } = scriptedAuthenticate('order-service');
  const calls: string[] = [];
  const server = await startGrpcServer({
    services: [
      {
        definition: UserServiceService,
        implementation: {
          authenticate,
          getUser(
            call: ServerUnaryCall<GetUserRequest, GetUserResponse>,
            callback: sendUnaryData<GetUserResponse>,
          ) {
            const token = String(call.metadata.get('authorization')[0] ?? '').replace(/^Bearer /, '');
            calls.push(token);
            if (accepted(token)) callback(null, GetUserResponse.create({ user: null }));
            else
              callback(
                new UnauthenticatedError('Access token signed with an unknown key', {
                  reason: 'TOKEN_KEY_UNKNOWN',
                }),
              );
          },
        },
      },
    ],
  });
  onTestFinished(() => server.stop());
  return { address: server.address, signIns, calls };
}

function signInTo(userServiceAddress: string): {
  signIn: ServiceSignIn;
  getUser: () => Promise<GetUserResponse>;
} {
  const signIn = new ServiceSignIn({
    userServiceAddress,
    timeoutMs: 2_000,
    clientId: 'order-service',
    clientSecret: secret,
    chain: {},
  });
  onTestFinished(() => signIn.close());
  const users = signIn.client(UserServiceClient, userServiceAddress, 2_000);
  const getUser = () => unaryCall(users.getUser.bind(users), GetUserRequest.create({ userId: 'u-1' }));
  return { signIn, getUser };
}

describe('ServiceSignIn', () => {
  it('signs in with the client credentials once and sends the token on every call', async () => {
    const users = await startUserService(() => true);
    const { getUser } = signInTo(users.address);
    await getUser();
    await getUser();
    expect(users.signIns).toEqual([
      expect.objectContaining({ client: { clientId: 'order-service', clientSecret: secret } }),
    ]);
    expect(users.calls).toEqual(['token-1', 'token-1']);
  });

  it('serves the token it holds from its cache, and none once the callee refused it', async () => {
    const users = await startUserService((token) => token !== 'token-1');
    const { signIn, getUser } = signInTo(users.address);
    expect(signIn.cachedToken()).toBeUndefined();
    await expect(getUser()).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
    expect(signIn.cachedToken()?.token).toBe('token-1');

    await signIn.retryRefused(getUser);

    expect(signIn.cachedToken()?.token).toBe('token-2');
    expect(users.calls).toEqual(['token-1', 'token-1', 'token-2']);
  });

  it('signs in again when the callee refuses the token, and calls once more', async () => {
    const users = await startUserService((token) => token !== 'token-1');
    const { signIn, getUser } = signInTo(users.address);
    await signIn.retryRefused(getUser);
    await signIn.retryRefused(getUser);
    expect(users.signIns).toHaveLength(2);
    expect(users.calls).toEqual(['token-1', 'token-2', 'token-2']);
  });

  it('signs in once when calls in flight together are refused together', async () => {
    const users = await startUserService((token) => token !== 'token-1');
    const { signIn, getUser } = signInTo(users.address);
    await signIn.getToken();
    await Promise.all(Array.from({ length: 5 }, () => signIn.retryRefused(getUser)));
    expect(users.signIns).toHaveLength(2);
    expect(users.calls.filter((token) => token === 'token-1')).toHaveLength(5);
    expect(users.calls.filter((token) => token === 'token-2')).toHaveLength(5);
  });

  it('gives up UNAUTHENTICATED when the fresh token is refused too', async () => {
    const users = await startUserService(() => false);
    const { signIn, getUser } = signInTo(users.address);
    const failure = await signIn.retryRefused(getUser).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ClientError);
    expect((failure as ClientError).code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect((failure as ClientError).reason).toBe('TOKEN_KEY_UNKNOWN');
    expect(users.calls).toEqual(['token-1', 'token-2']);
  });

  it('does not call again when no token could be had (the user service is down)', async () => {
    const { signIn, getUser } = signInTo(`127.0.0.1:${await freePort()}`);
    let calls = 0;
    const failure = await signIn
      .retryRefused(() => {
        calls += 1;
        return getUser();
      })
      .catch((error: unknown) => error);
    expect((failure as ClientError).code).toBe(GrpcStatus.UNAVAILABLE);
    expect((failure as ClientError).reason).toBe(AuthErrorReason.TOKEN_UNAVAILABLE);
    expect(calls).toBe(1);
  });
});
