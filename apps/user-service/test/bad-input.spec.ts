// Bad requests get INVALID_ARGUMENT with one BadRequest field violation per bad field, all at
// once, before any work; nothing is written.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { pgliteTarget } from '@platform/db/testing';
import { expectGrpcError, fieldsOf } from '@platform/grpc/testing';
import {
  AuthenticateRequest,
  CreateUserRequest,
  DeactivateUserRequest,
  GetUserRequest,
  ListUsersRequest,
  Role,
  UpdateUserRequest,
} from '@platform/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asUser,
  startUserServiceOn,
  strongPassword,
  type UserServiceHarness,
} from './__fixtures__/user-service-harness.js';

describe('bad input', () => {
  let harness: UserServiceHarness;
  let admin: string;

  beforeAll(async () => {
    harness = await startUserServiceOn(pgliteTarget);
    admin = await harness.adminToken();
  });
  afterAll(() => harness?.dispose());

  const invalid = (call: Promise<unknown>) => expectGrpcError(call, GrpcStatus.INVALID_ARGUMENT);

  describe('CreateUser', () => {
    it('reports an invalid email, a short password and an empty display name together, and creates nothing', async () => {
      const error = await invalid(
        harness.users.createUser(
          CreateUserRequest.create({ email: 'not-an-email', password: 'short', displayName: '  ' }),
        ),
      );
      expect(fieldsOf(error)).toEqual(['display_name', 'email', 'password']);
      const listed = await harness.users.listUsers(
        ListUsersRequest.create({ pageSize: 500, pageToken: '' }),
        asUser(admin),
      );
      expect(listed.users.map((user) => user.email)).not.toContain('not-an-email');
    });

    it.each([
      ['a long but common password', 'password1234'],
      ['a keyboard walk', 'qwertyuiopasdf'],
      ['the email itself', 'weak.user@example.com'],
    ])('refuses %s as too weak', async (_name, password) => {
      const error = await invalid(
        harness.users.createUser(
          CreateUserRequest.create({ email: 'weak.user@example.com', password, displayName: 'Weak User' }),
        ),
      );
      expect(fieldsOf(error)).toEqual(['password']);
    });

    it.each([
      ['oversized', 'x'.repeat(101)],
      ['with control characters', 'Bob\u0000Tables'],
      ['with a bidi override', 'evil\u202egnp.exe'],
    ])('refuses a display name %s', async (_name, displayName) => {
      const error = await invalid(
        harness.users.createUser(
          CreateUserRequest.create({ email: 'name@example.com', password: strongPassword(), displayName }),
        ),
      );
      expect(fieldsOf(error)).toEqual(['display_name']);
    });

    it('takes a password of up to 1024 characters, and refuses a longer one', async () => {
      const longest = strongPassword().padEnd(1024, '-x7');
      const { user } = await harness.users.createUser(
        CreateUserRequest.create({
          email: `long-${Date.now()}@example.com`,
          password: longest,
          displayName: 'Long Password',
        }),
      );
      expect(user?.email).toMatch(/^long-/);
      const error = await invalid(
        harness.users.createUser(
          CreateUserRequest.create({
            email: 'longer@example.com',
            password: `${longest}q`,
            displayName: 'Longer Password',
          }),
        ),
      );
      expect(error.statusDetails.badRequest?.fieldViolations).toEqual([
        expect.objectContaining({ field: 'password', description: 'must be at most 1024 characters' }),
      ]);
    });

    it('refuses an email longer than 254 characters', async () => {
      const error = await invalid(
        harness.users.createUser(
          CreateUserRequest.create({
            email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`,
            password: strongPassword(),
            displayName: 'Long',
          }),
        ),
      );
      expect(fieldsOf(error)).toEqual(['email']);
    });
  });

  describe('Authenticate', () => {
    it('refuses a request without credentials, and empty fields', async () => {
      expect(fieldsOf(await invalid(harness.users.authenticate(AuthenticateRequest.create({}))))).toEqual([
        'credentials',
      ]);
      expect(
        fieldsOf(
          await invalid(
            harness.users.authenticate(AuthenticateRequest.create({ password: { email: '', password: '' } })),
          ),
        ),
      ).toEqual(['password.email', 'password.password']);
    });

    it('refuses credentials longer than 1024 characters before hashing them', async () => {
      const error = await invalid(
        harness.users.authenticate(
          AuthenticateRequest.create({
            password: { email: 'a@example.com', password: 'p'.repeat(1025) },
          }),
        ),
      );
      expect(fieldsOf(error)).toEqual(['password.password']);
    });
  });

  describe('ids and updates', () => {
    it('answers INVALID_ARGUMENT for a malformed id and NOT_FOUND for a well-formed unknown one', async () => {
      expect(
        fieldsOf(
          await invalid(
            harness.users.getUser(GetUserRequest.create({ userId: 'not-a-uuid' }), asUser(admin)),
          ),
        ),
      ).toEqual(['user_id']);
      await expectGrpcError(
        harness.users.getUser(GetUserRequest.create({ userId: crypto.randomUUID() }), asUser(admin)),
        GrpcStatus.NOT_FOUND,
      );
    });

    it('refuses an unknown role, a service role, and an update with nothing to change', async () => {
      const alice = await harness.signUp();
      for (const role of [Role.ROLE_SERVICE, Role.ROLE_UNSPECIFIED, Role.UNRECOGNIZED]) {
        const error = await invalid(
          harness.users.updateUser(UpdateUserRequest.create({ userId: alice.user.id, role }), asUser(admin)),
        );
        expect(fieldsOf(error)).toEqual(['role']);
      }
      expect(
        fieldsOf(
          await invalid(
            harness.users.updateUser(UpdateUserRequest.create({ userId: alice.user.id }), asUser(admin)),
          ),
        ),
      ).toEqual(['display_name']);
      const { user } = await harness.users.getUser(
        GetUserRequest.create({ userId: alice.user.id }),
        asUser(admin),
      );
      expect(user).toEqual(alice.user);
    });

    it('refuses a deactivation reason over 500 characters', async () => {
      const alice = await harness.signUp();
      const error = await invalid(
        harness.users.deactivateUser(
          DeactivateUserRequest.create({ userId: alice.user.id, reason: 'r'.repeat(501) }),
          asUser(admin),
        ),
      );
      expect(fieldsOf(error)).toEqual(['reason']);
    });
  });

  it('answers RESOURCE_EXHAUSTED to a message over 1 MiB, and keeps serving', async () => {
    await expectGrpcError(
      harness.users.createUser(
        CreateUserRequest.create({
          email: 'big@example.com',
          password: strongPassword(),
          displayName: 'x'.repeat(1_100_000),
        }),
      ),
      GrpcStatus.RESOURCE_EXHAUSTED,
    );
    await expect(harness.signUp()).resolves.toBeDefined();
  });
});
