import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js';
import { GetUserRequest, GetUserResponse, UserServiceClient, UserServiceService } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError } from '../errors/client-error.js';
import { createClient } from './create-client.js';
import { bearer, promiseClient } from './promise-client.js';

let server: RunningGrpcServer | undefined;
afterEach(() => server?.stop());

describe('promiseClient', () => {
  it('calls unary methods with metadata and resolves with the response', async () => {
    const seen: string[] = [];
    server = await startGrpcServer({
      services: [
        {
          definition: UserServiceService,
          implementation: {
            getUser: (
              call: { request: { userId: string }; metadata: Metadata },
              callback: (error: null, response: GetUserResponse) => void,
            ) => {
              seen.push(String(call.metadata.get('authorization')[0]));
              callback(null, GetUserResponse.create({ user: null }));
            },
          } as never,
        },
      ],
    });
    const client = createClient(UserServiceClient, server.address);
    const users = promiseClient(client);
    await expect(
      users.getUser(GetUserRequest.create({ userId: 'u-1' }), { metadata: bearer('t-1') }),
    ).resolves.toEqual({
      user: null,
    });
    expect(seen).toEqual(['Bearer t-1']);
    expect(Object.keys(users).sort()).toEqual([
      'authenticate',
      'createUser',
      'deactivateUser',
      'getUser',
      'getUserOrderStats',
      'listUsers',
      'updateUser',
    ]);
    client.close();
  });

  it('rejects with a ClientError carrying the status', async () => {
    server = await startGrpcServer({ services: [{ definition: UserServiceService, implementation: {} }] });
    const client = createClient(UserServiceClient, server.address);
    const error = await promiseClient(client)
      .getUser(GetUserRequest.create({ userId: 'u-1' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe(GrpcStatus.UNIMPLEMENTED);
    client.close();
  });
});
