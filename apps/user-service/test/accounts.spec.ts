// Accounts through real gRPC calls on loopback, on PGlite and on PostgreSQL: sign-up, reads,
// profile and role changes, deactivation, listing, and who may do which.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { databaseTargets } from '@platform/db/testing';
import { expectGrpcError } from '@platform/grpc/testing';
import {
  CreateUserRequest,
  DeactivateUserRequest,
  GetUserOrderStatsRequest,
  GetUserRequest,
  ListUsersRequest,
  Role,
  UpdateUserRequest,
  UserStatus,
} from '@platform/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asUser,
  startUserServiceOn,
  strongPassword,
  type UserServiceHarness,
} from './__fixtures__/user-service-harness.js';

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`user accounts on ${target.name}`, () => {
    let harness: UserServiceHarness;

    beforeAll(async () => {
      harness = await startUserServiceOn(target);
    });
    afterAll(() => harness?.dispose());

    describe('CreateUser', () => {
      it('creates an active user account and never returns the password', async () => {
        const { users } = harness;
        const response = await users.createUser(
          CreateUserRequest.create({
            email: '  Grace.Hopper@Example.com ',
            password: strongPassword(),
            displayName: ' Grace Hopper ',
          }),
        );
        expect(response.user).toMatchObject({
          email: 'Grace.Hopper@Example.com',
          displayName: 'Grace Hopper',
          role: Role.ROLE_USER,
          status: UserStatus.USER_STATUS_ACTIVE,
          deactivateTime: null,
        });
        expect(response.user?.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(response.user?.createTime).toEqual(response.user?.updateTime);
        expect(JSON.stringify(response)).not.toMatch(/password|scrypt/i);
      });

      it('refuses the same email in another case with ALREADY_EXISTS USER_EMAIL_TAKEN', async () => {
        const { users } = harness;
        await users.createUser(
          CreateUserRequest.create({
            email: 'alan@example.com',
            password: strongPassword(),
            displayName: 'Alan',
          }),
        );
        const error = await expectGrpcError(
          users.createUser(
            CreateUserRequest.create({
              email: 'ALAN@Example.COM',
              password: strongPassword(),
              displayName: 'Other Alan',
            }),
          ),
          GrpcStatus.ALREADY_EXISTS,
        );
        expect(error.statusDetails.errorInfo).toMatchObject({
          reason: 'USER_EMAIL_TAKEN',
          domain: 'user.platform',
        });
        expect(error.statusDetails.resourceInfo?.resourceType).toBe('platform.user.v1.User');
      });

      it('lets exactly one of 50 parallel sign-ups with one email succeed', async () => {
        const { users } = harness;
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, (_, index) =>
            users.createUser(
              CreateUserRequest.create({
                email: index % 2 ? 'race@example.com' : 'RACE@example.com',
                password: strongPassword(),
                displayName: `Racer ${index}`,
              }),
            ),
          ),
        );
        const succeeded = results.filter((result) => result.status === 'fulfilled');
        const codes = results.flatMap((result) =>
          result.status === 'rejected' ? [(result.reason as { code: number }).code] : [],
        );
        expect(succeeded).toHaveLength(1);
        expect(codes).toEqual(Array.from({ length: 49 }, () => GrpcStatus.ALREADY_EXISTS));
        const admin = await harness.adminToken();
        const listed = await listAll(harness, admin);
        expect(listed.filter((user) => user.email.toLowerCase() === 'race@example.com')).toHaveLength(1);
      });
    });

    describe('GetUser', () => {
      it('lets users read themselves, admins and services read anyone, and refuses other users', async () => {
        const alice = await harness.signUp();
        const bob = await harness.signUp();
        const read = (token: string, userId = alice.user.id) =>
          harness.users.getUser(GetUserRequest.create({ userId }), asUser(token));

        expect((await read(alice.token)).user).toEqual(alice.user);
        expect((await read(await harness.adminToken())).user).toEqual(alice.user);
        expect((await read(await harness.serviceToken())).user).toEqual(alice.user);
        const denied = await expectGrpcError(read(bob.token), GrpcStatus.PERMISSION_DENIED);
        expect(denied.statusDetails.errorInfo?.reason).toBe('USER_ACCESS_DENIED');
        // Refused before any lookup: an unknown id answers the same, so ids cannot be probed.
        await expectGrpcError(read(bob.token, crypto.randomUUID()), GrpcStatus.PERMISSION_DENIED);
      });

      it('answers NOT_FOUND with ResourceInfo for an unknown id, and UNAUTHENTICATED without a token', async () => {
        const unknownId = crypto.randomUUID();
        const error = await expectGrpcError(
          harness.users.getUser(
            GetUserRequest.create({ userId: unknownId }),
            asUser(await harness.adminToken()),
          ),
          GrpcStatus.NOT_FOUND,
        );
        expect(error.statusDetails.resourceInfo).toMatchObject({ resourceName: unknownId });
        expect(error.statusDetails.errorInfo?.reason).toBe('USER_NOT_FOUND');
        await expectGrpcError(
          harness.users.getUser(GetUserRequest.create({ userId: unknownId })),
          GrpcStatus.UNAUTHENTICATED,
        );
      });
    });

    describe('UpdateUser', () => {
      it('lets users change their display name, and keeps update_time when nothing changes', async () => {
        const alice = await harness.signUp();
        const { user } = await harness.users.updateUser(
          UpdateUserRequest.create({ userId: alice.user.id, displayName: 'Ada King' }),
          asUser(alice.token),
        );
        expect(user).toMatchObject({ displayName: 'Ada King', role: Role.ROLE_USER });
        const again = await harness.users.updateUser(
          UpdateUserRequest.create({ userId: alice.user.id, displayName: 'Ada King' }),
          asUser(alice.token),
        );
        expect(again.user?.updateTime).toEqual(user?.updateTime);
      });

      it('refuses a role change by the user, and another user changing a profile', async () => {
        const alice = await harness.signUp();
        const bob = await harness.signUp();
        await expectGrpcError(
          harness.users.updateUser(
            UpdateUserRequest.create({ userId: alice.user.id, role: Role.ROLE_ADMIN }),
            asUser(alice.token),
          ),
          GrpcStatus.PERMISSION_DENIED,
        );
        await expectGrpcError(
          harness.users.updateUser(
            UpdateUserRequest.create({ userId: alice.user.id, displayName: 'Mallory' }),
            asUser(bob.token),
          ),
          GrpcStatus.PERMISSION_DENIED,
        );
        const { user } = await harness.users.getUser(
          GetUserRequest.create({ userId: alice.user.id }),
          asUser(alice.token),
        );
        expect(user).toEqual(alice.user);
      });

      it('lets an admin promote a user, whose next token carries the admin role', async () => {
        const alice = await harness.signUp();
        const { user } = await harness.users.updateUser(
          UpdateUserRequest.create({ userId: alice.user.id, role: Role.ROLE_ADMIN }),
          asUser(await harness.adminToken()),
        );
        expect(user?.role).toBe(Role.ROLE_ADMIN);
        const signedIn = await harness.signIn(alice.user.email, alice.password);
        expect(signedIn.roles).toEqual([Role.ROLE_ADMIN]);
        // As an admin now, Alice can list accounts.
        await expect(
          harness.users.listUsers(
            ListUsersRequest.create({ pageSize: 1, pageToken: '' }),
            asUser(signedIn.accessToken),
          ),
        ).resolves.toBeDefined();
      });
    });

    describe('DeactivateUser', () => {
      it('is for admins only, idempotent, and stops the user from signing in', async () => {
        const alice = await harness.signUp();
        const admin = await harness.adminToken();
        await expectGrpcError(
          harness.users.deactivateUser(
            DeactivateUserRequest.create({ userId: alice.user.id, reason: 'self' }),
            asUser(alice.token),
          ),
          GrpcStatus.PERMISSION_DENIED,
        );
        const first = await harness.users.deactivateUser(
          DeactivateUserRequest.create({ userId: alice.user.id, reason: 'fraud' }),
          asUser(admin),
        );
        expect(first.user).toMatchObject({ status: UserStatus.USER_STATUS_DEACTIVATED });
        expect(first.user?.deactivateTime).not.toBeNull();
        const second = await harness.users.deactivateUser(
          DeactivateUserRequest.create({ userId: alice.user.id, reason: 'again' }),
          asUser(admin),
        );
        expect(second.user).toEqual(first.user);

        const refused = await expectGrpcError(
          harness.signIn(alice.user.email, alice.password),
          GrpcStatus.FAILED_PRECONDITION,
        );
        expect(refused.statusDetails.errorInfo?.reason).toBe('USER_DEACTIVATED');
        const frozen = await expectGrpcError(
          harness.users.updateUser(
            UpdateUserRequest.create({ userId: alice.user.id, displayName: 'Back' }),
            asUser(admin),
          ),
          GrpcStatus.FAILED_PRECONDITION,
        );
        expect(frozen.reason).toBe('USER_DEACTIVATED');
      });

      it('refuses an admin deactivating their own account', async () => {
        const admin = await harness.signIn(harness.secrets.adminEmail, harness.secrets.adminPassword);
        const error = await expectGrpcError(
          harness.users.deactivateUser(
            DeactivateUserRequest.create({ userId: admin.subject, reason: '' }),
            asUser(admin.accessToken),
          ),
          GrpcStatus.FAILED_PRECONDITION,
        );
        expect(error.statusDetails.errorInfo?.reason).toBe('USER_DEACTIVATE_SELF');
      });
    });

    describe('ListUsers', () => {
      it('walks every account exactly once, page by page, for admins only', async () => {
        const created = await Promise.all([1, 2, 3, 4, 5].map(() => harness.signUp()));
        const admin = await harness.adminToken();
        const pages: number[] = [];
        const seen = await listAll(harness, admin, 2, pages);
        expect(new Set(seen.map((user) => user.id)).size).toBe(seen.length);
        for (const { user } of created) expect(seen.map((listed) => listed.id)).toContain(user.id);
        expect(pages.slice(0, -1).every((size) => size === 2)).toBe(true);
        // Oldest first, as the contract says (ties by id).
        const createdAt = (user: (typeof seen)[number]) =>
          Number(user.createTime?.seconds ?? 0) * 1000 + Math.floor((user.createTime?.nanos ?? 0) / 1e6);
        const oldestFirst = [...seen].sort(
          (a, b) => createdAt(a) - createdAt(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        );
        expect(seen.map((user) => user.id)).toEqual(oldestFirst.map((user) => user.id));
        await expectGrpcError(
          harness.users.listUsers(
            ListUsersRequest.create({ pageSize: 2, pageToken: '' }),
            asUser(created[0]?.token),
          ),
          GrpcStatus.PERMISSION_DENIED,
        );
      });

      it('uses 50 by default, takes more than 500 as 500, and refuses a negative size or a tampered page token with INVALID_ARGUMENT', async () => {
        const admin = await harness.adminToken();
        const first = await harness.users.listUsers(
          ListUsersRequest.create({ pageSize: 1, pageToken: '' }),
          asUser(admin),
        );
        expect(first.nextPageToken).not.toBe('');
        // Clamped (AIP-158), not refused: fewer than 500 accounts here, so one page holds them all.
        const everyone = await listAll(harness, admin);
        for (const pageSize of [501, 2_147_483_647]) {
          const page = await harness.users.listUsers(
            ListUsersRequest.create({ pageSize, pageToken: '' }),
            asUser(admin),
          );
          expect(page.users.map((user) => user.id)).toEqual(everyone.map((user) => user.id));
          expect(page.nextPageToken).toBe('');
        }
        const negative = await expectGrpcError(
          harness.users.listUsers(ListUsersRequest.create({ pageSize: -1, pageToken: '' }), asUser(admin)),
          GrpcStatus.INVALID_ARGUMENT,
        );
        expect(negative.reason).toBe('PAGE_SIZE_INVALID');
        expect(
          negative.statusDetails.badRequest?.fieldViolations.map((violation) => violation.field),
        ).toEqual(['page_size']);
        const token = first.nextPageToken;
        const flipped = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
        const tampered = await expectGrpcError(
          harness.users.listUsers(
            ListUsersRequest.create({ pageSize: 1, pageToken: flipped }),
            asUser(admin),
          ),
          GrpcStatus.INVALID_ARGUMENT,
        );
        expect(
          tampered.statusDetails.badRequest?.fieldViolations.map((violation) => violation.field),
        ).toEqual(['page_token']);
        const all = await harness.users.listUsers(
          ListUsersRequest.create({ pageSize: 0, pageToken: '' }),
          asUser(admin),
        );
        expect(all.users.length).toBeGreaterThan(1);
        expect(all.users.length).toBeLessThanOrEqual(50);
      });
    });

    describe('GetUserOrderStats', () => {
      it('answers zeros for a user without orders, to the user, admins and services, and refuses other users', async () => {
        const alice = await harness.signUp();
        const zeros = {
          userId: alice.user.id,
          orderCount: '0',
          confirmedCount: '0',
          cancelledCount: '0',
          lifetimeTotalMinorByCurrency: {},
          lastOrderTime: null,
        };
        for (const token of [alice.token, await harness.adminToken(), await harness.serviceToken()]) {
          const { stats } = await harness.users.getUserOrderStats(
            GetUserOrderStatsRequest.create({ userId: alice.user.id }),
            asUser(token),
          );
          expect(stats).toEqual(zeros);
        }
        const bob = await harness.signUp();
        await expectGrpcError(
          harness.users.getUserOrderStats(
            GetUserOrderStatsRequest.create({ userId: alice.user.id }),
            asUser(bob.token),
          ),
          GrpcStatus.PERMISSION_DENIED,
        );
      });
    });
  });
}

async function listAll(harness: UserServiceHarness, token: string, pageSize = 500, pages: number[] = []) {
  const users = [];
  let pageToken = '';
  do {
    const page = await harness.users.listUsers(
      ListUsersRequest.create({ pageSize, pageToken }),
      asUser(token),
    );
    pages.push(page.users.length);
    users.push(...page.users);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return users;
}
