// The service's database on PGlite and PostgreSQL: migrations from empty and again, data and
// keys surviving a restart, and a database outage answered UNAVAILABLE with health NOT_SERVING.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { databaseTargets, postgresTarget } from '@platform/db/testing';
import { expectGrpcError } from '@platform/grpc/testing';
import { startTcpProxy, type TcpProxy } from '@platform/testing';
import { migrateUserDatabase } from '@platform/user-domain';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '@platform/config';
import { openUserDatabase, userServiceConfig } from '../src/index.js';
import { openTestDatabase, type TestDatabase } from './__fixtures__/test-database.js';
import {
  asUser,
  startUserServiceHarness,
  strongPassword,
  type UserServiceHarness,
} from './__fixtures__/user-service-harness.js';
import { CreateUserRequest, GetUserRequest, ListUsersRequest } from '@platform/proto';

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`migrations on ${target.name}`, () => {
    it('creates the schema from empty, then finds nothing to apply', async () => {
      const database = await openTestDatabase(target);
      onTestFinished(() => database.dispose());
      const db = await openUserDatabase(loadConfig(userServiceConfig, {}), database.location);
      onTestFinished(() => db.close());
      const first = await migrateUserDatabase(db);
      expect(first.applied).toEqual(['0001_create_users.sql', '0002_create_user_order_stats.sql']);
      expect(first.version).toBe(2);
      const again = await migrateUserDatabase(db);
      expect(again).toMatchObject({ applied: [], version: 2 });
    });
  });
}

describe('a restart', () => {
  it('keeps accounts and the signing key on the embedded PGlite data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'user-service-restart-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const location = { dataDir: join(dataDir, 'db') };
    const first = await startUserServiceHarness({ database: location, dataDir });
    const alice = await first.signUp();
    await first.stop();

    const second = await startUserServiceHarness({ database: location, dataDir, secrets: first.secrets });
    onTestFinished(() => second.stop());
    // The token issued before the restart still verifies: same key, same kid.
    const { user } = await second.users.getUser(
      GetUserRequest.create({ userId: alice.user.id }),
      asUser(alice.token),
    );
    expect(user).toEqual(alice.user);
    await expect(second.signIn(alice.user.email, alice.password)).resolves.toMatchObject({
      subject: alice.user.id,
    });
  });
});

describe.skipIf(postgresTarget.skip)('PostgreSQL going away', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let harness: UserServiceHarness;

  async function start() {
    database = await openTestDatabase(postgresTarget);
    onTestFinished(() => database.dispose());
    const url = new URL(String(database.url));
    proxy = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port) } });
    onTestFinished(() => proxy.close());
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    harness = await startUserServiceHarness({
      database: { url: url.toString() },
      env: { DATABASE_CONNECT_TIMEOUT: '500ms' },
    });
    onTestFinished(() => harness.dispose());
  }

  it('answers UNAVAILABLE, turns health NOT_SERVING, writes nothing, and recovers', async () => {
    await start();
    const admin = await harness.adminToken();
    const before = await harness.users.listUsers(
      ListUsersRequest.create({ pageSize: 500, pageToken: '' }),
      asUser(admin),
    );

    proxy.cut();
    const error = await expectGrpcError(
      harness.users.createUser(
        CreateUserRequest.create({
          email: 'outage@example.com',
          password: strongPassword(),
          displayName: 'Outage',
        }),
      ),
      GrpcStatus.UNAVAILABLE,
    );
    expect(error.statusDetails.errorInfo?.reason).toBe('DATABASE_UNAVAILABLE');
    await expectGrpcError(
      harness.users.getUser(GetUserRequest.create({ userId: before.users[0]?.id }), asUser(admin)),
      GrpcStatus.UNAVAILABLE,
    );
    await harness.service.health.refresh();
    expect(harness.service.health.status('platform.user.v1.UserService')).toBe('NOT_SERVING');

    proxy.restore();
    await harness.service.health.refresh();
    expect(harness.service.health.status('platform.user.v1.UserService')).toBe('SERVING');
    const after = await harness.users.listUsers(
      ListUsersRequest.create({ pageSize: 500, pageToken: '' }),
      asUser(admin),
    );
    expect(after.users).toEqual(before.users);
    await expect(harness.signUp({ email: 'outage@example.com' })).resolves.toBeDefined();
  });

  it('refuses to start with a clear error when the database cannot be reached', async () => {
    database = await openTestDatabase(postgresTarget);
    onTestFinished(() => database.dispose());
    const url = new URL(String(database.url));
    proxy = await startTcpProxy({ target: { host: url.hostname, port: Number(url.port) } });
    onTestFinished(() => proxy.close());
    proxy.cut();
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    await expect(
      startUserServiceHarness({
        database: { url: url.toString() },
        env: { DATABASE_CONNECT_TIMEOUT: '300ms' },
      }),
    ).rejects.toThrow(/unavailable|connect/i);
  });
});
