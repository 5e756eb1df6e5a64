// What arrives below the application: strings that are not UTF-8, repeated metadata, and the
// types reflection must describe for clients to read the errors. Through the real service.
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { pgliteTarget } from '@platform/db/testing';
import {
  callWithRawHeaders,
  callWithRawMessages,
  ReflectionClient,
  withInvalidUtf8,
} from '@platform/grpc/testing';
import {
  AuthenticateRequest,
  CreateUserRequest,
  DeactivateUserRequest,
  GetUserRequest,
  ListUsersRequest,
  statusDetailTypeNames,
  statusFromMetadata,
  UpdateUserRequest,
  UserServiceService,
} from '@platform/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asUser,
  startUserServiceOn,
  strongPassword,
  type UserServiceHarness,
} from './__fixtures__/user-service-harness.js';

let harness: UserServiceHarness;
let admin: string;
beforeAll(async () => {
  harness = await startUserServiceOn(pgliteTarget);
  admin = await harness.adminToken();
});
afterAll(() => harness?.dispose());

function bearerMetadata(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** The call's INVALID_ARGUMENT field violation for invalid UTF-8. */
function utf8Violation(error: ServiceError | undefined) {
  expect(error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
  const details = statusFromMetadata(error?.metadata)?.details;
  expect(details?.errorInfo).toMatchObject({ reason: 'INVALID_UTF8', domain: 'user.platform' });
  return details?.badRequest?.fieldViolations.map(({ field, description }) => ({ field, description }));
}

async function emailsListed(): Promise<string[]> {
  const listed = await harness.users.listUsers(
    ListUsersRequest.create({ pageSize: 500, pageToken: '' }),
    asUser(admin),
  );
  return listed.users.map((user) => user.email);
}

describe('invalid UTF-8 in a string field', () => {
  it('refuses a CreateUser password, creates nothing, and the same email signs up afterwards', async () => {
    const email = 'utf8.user@example.com';
    const request = CreateUserRequest.encode(
      CreateUserRequest.create({
        email,
        password: `${strongPassword()}§`,
        displayName: 'Utf Eight',
      }),
    );
    const error = await callWithRawMessages(harness.service.address, UserServiceService.createUser, [
      withInvalidUtf8(request.finish()),
    ]);
    expect(utf8Violation(error)).toEqual([{ field: 'password', description: 'must be valid UTF-8' }]);
    expect(await emailsListed()).not.toContain(email);
    await expect(harness.signUp({ email })).resolves.toMatchObject({ user: { email } });
  });

  it('refuses invalid bytes in a sign-in instead of comparing them as U+FFFD', async () => {
    const { user } = await harness.signUp();
    const request = AuthenticateRequest.encode(
      AuthenticateRequest.create({
        password: { email: user.email, password: 'x§y' },
      }),
    );
    const error = await callWithRawMessages(harness.service.address, UserServiceService.authenticate, [
      withInvalidUtf8(request.finish()),
    ]);
    expect(utf8Violation(error)).toEqual([
      { field: 'password.password', description: 'must be valid UTF-8' },
    ]);
  });

  it('refuses a display name and a deactivation reason, leaving the account as it was', async () => {
    const { user, token } = await harness.signUp({ displayName: 'Kept Name' });
    const update = UpdateUserRequest.encode(
      UpdateUserRequest.create({ userId: user.id, displayName: 'Bad § Name' }),
    );
    const updateError = await callWithRawMessages(
      harness.service.address,
      UserServiceService.updateUser,
      [withInvalidUtf8(update.finish())],
      bearerMetadata(token),
    );
    expect(utf8Violation(updateError)).toEqual([
      { field: 'display_name', description: 'must be valid UTF-8' },
    ]);

    const deactivate = DeactivateUserRequest.encode(
      DeactivateUserRequest.create({ userId: user.id, reason: 'because §' }),
    );
    const deactivateError = await callWithRawMessages(
      harness.service.address,
      UserServiceService.deactivateUser,
      [withInvalidUtf8(deactivate.finish())],
      bearerMetadata(admin),
    );
    expect(utf8Violation(deactivateError)).toEqual([{ field: 'reason', description: 'must be valid UTF-8' }]);

    const { user: stored } = await harness.users.getUser(
      GetUserRequest.create({ userId: user.id }),
      asUser(admin),
    );
    expect(stored).toMatchObject({ displayName: 'Kept Name', deactivateTime: null });
  });

  it('accepts a legitimate U+FFFD, stored as sent', async () => {
    const { user } = await harness.signUp({ displayName: 'Ren\u{FFFD}e' });
    expect(user.displayName).toBe('Ren\u{FFFD}e');
  });
});

describe('two authorization values', () => {
  it('are refused UNAUTHENTICATED (TOKEN_MALFORMED), even when the first one is valid', async () => {
    const { user, token } = await harness.signUp();
    const outcome = await callWithRawHeaders(
      harness.service.address,
      UserServiceService.getUser.path,
      [
        ['authorization', `Bearer ${token}`],
        ['authorization', `Bearer ${admin}`],
      ],
      [],
    );
    expect(outcome.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(outcome.status?.details.errorInfo).toMatchObject({
      reason: 'TOKEN_MALFORMED',
      domain: 'user.platform',
    });
    // One value still works.
    const single = await callWithRawHeaders(
      harness.service.address,
      UserServiceService.getUser.path,
      [['authorization', `Bearer ${token}`]],
      [GetUserRequest.encode(GetUserRequest.create({ userId: user.id })).finish()],
    );
    expect(single.code).toBe(GrpcStatus.OK);
  });
});

describe('reflection', () => {
  it.each(['v1', 'v1alpha'] as const)(
    'resolves over %s every type a google.rpc.Status of this service can hold, as grpcurl does',
    async (version) => {
      const reflection = new ReflectionClient(harness.service.address);
      try {
        expect(await reflection.unresolved(version, statusDetailTypeNames)).toEqual([]);
      } finally {
        reflection.close();
      }
    },
  );
});
