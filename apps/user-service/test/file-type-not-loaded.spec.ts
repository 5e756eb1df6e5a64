// The supported Node versions include 20.19 (package.json engines), while npm warns (EBADENGINE)
// that file-type, a dependency of @nestjs/common, wants Node 22+. @nestjs/common imports it only
// inside FileTypeValidator.isValid (HTTP file uploads), which no service uses: this shows the
// running user service never loads it (the order service's spec of the same name shows that the
// recorder sees it when FileTypeValidator does load it).
import { pgliteTarget } from '@platform/db/testing';
import { recordModuleLoads, type ModuleLoadRecorder } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, startUserServiceOn, type UserServiceHarness } from './__fixtures__/user-service-harness.js';
import { GetUserOrderStatsRequest, GetUserRequest, ListUsersRequest } from '@platform/proto';

let recorder: ModuleLoadRecorder;
let harness: UserServiceHarness;
beforeAll(async () => {
  recorder = recordModuleLoads();
  harness = await startUserServiceOn(pgliteTarget);
});
afterAll(() => harness?.dispose());

describe('file-type (Node 22+ only)', () => {
  it('is not loaded by the user service starting, signing in and serving calls', async () => {
    const { user, token } = await harness.signUp();
    await harness.users.getUser(GetUserRequest.create({ userId: user.id }), asUser(token));
    await harness.users.getUserOrderStats(
      GetUserOrderStatsRequest.create({ userId: user.id }),
      asUser(token),
    );
    await harness.users.listUsers(
      ListUsersRequest.create({ pageSize: 10, pageToken: '' }),
      asUser(await harness.adminToken()),
    );
    expect(await recorder.urlsOfPackage('file-type')).toEqual([]);
  });
});
