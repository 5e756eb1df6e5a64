import { status as GrpcStatus, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { GetUserRequest, GetUserResponse, UserServiceClient, UserServiceService } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promiseClient, type PromiseClient } from '../client/channel/promise-client.js';
import { InvalidArgumentError, PermissionDeniedError } from '@platform/core';
// The handlers below throw core errors to grpc-js as they are (the package's index loads this).
import '../call/grpc-error-shape.js';
import { createTestClient } from './create-test-client.js';
import { expectGrpcError, fieldsOf } from './expect-grpc-error.js';

let server: RunningGrpcServer;
let client: UserServiceClient;
let users: PromiseClient<UserServiceClient>;
let answer: (userId: string) => Error | GetUserResponse;

beforeEach(async () => {
  server = await startGrpcServer({
    services: [
      {
        definition: UserServiceService,
        implementation: {
          getUser: (
            call: ServerUnaryCall<{ userId: string }, GetUserResponse>,
            callback: sendUnaryData<GetUserResponse>,
          ) => {
            const result = answer(call.request.userId);
            if (result instanceof Error) callback(result);
            else callback(null, result);
          },
        },
      },
    ],
  });
  client = createTestClient(UserServiceClient, server.address);
  users = promiseClient(client);
});
afterEach(async () => {
  client.close();
  await server.stop();
});

const badUserId = () =>
  new InvalidArgumentError('bad request', [
    { field: 'user_id', description: 'must be a UUID' },
    { field: 'email', description: 'must be an email address' },
  ]);

describe('expectGrpcError', () => {
  it('returns the ClientError of a call that failed with the expected code, details decoded', async () => {
    answer = badUserId;
    const error = await expectGrpcError(
      users.getUser(GetUserRequest.create({ userId: 'u-1' })),
      GrpcStatus.INVALID_ARGUMENT,
    );
    expect(error.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.details).toBe('bad request');
    expect(error.statusDetails.errorInfo?.reason).toBe('INVALID_ARGUMENT');
  });

  it('fails naming both codes when the call failed with another', async () => {
    answer = () => new PermissionDeniedError('not yours');
    await expect(
      expectGrpcError(users.getUser(GetUserRequest.create({ userId: 'u-1' })), GrpcStatus.INVALID_ARGUMENT),
    ).rejects.toThrow(/not yours.*PERMISSION_DENIED.*INVALID_ARGUMENT/s);
  });

  it('fails showing the response when the call succeeded', async () => {
    answer = () => GetUserResponse.create({ user: null });
    await expect(
      expectGrpcError(users.getUser(GetUserRequest.create({ userId: 'u-1' })), GrpcStatus.NOT_FOUND),
    ).rejects.toThrow('expected NOT_FOUND, got a response: {"user":null}');
  });

  it('fails when the call failed with something other than a ClientError', async () => {
    await expect(expectGrpcError(Promise.reject(new Error('boom')), GrpcStatus.INTERNAL)).rejects.toThrow(
      /ClientError/,
    );
  });
});

describe('fieldsOf', () => {
  it("lists the fields of an error's BadRequest violations, sorted", async () => {
    answer = badUserId;
    const error = await expectGrpcError(
      users.getUser(GetUserRequest.create({ userId: 'u-1' })),
      GrpcStatus.INVALID_ARGUMENT,
    );
    expect(fieldsOf(error)).toEqual(['email', 'user_id']);
  });

  it('is empty for an error without BadRequest details', async () => {
    answer = () => new PermissionDeniedError('not yours');
    expect(
      fieldsOf(
        await expectGrpcError(
          users.getUser(GetUserRequest.create({ userId: 'u-1' })),
          GrpcStatus.PERMISSION_DENIED,
        ),
      ),
    ).toEqual([]);
  });
});
