import type { Deadline, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { GetUserRequest, GetUserResponse, UserServiceClient, UserServiceService } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { promiseClient } from '../client/channel/promise-client.js';
import { createTestClient } from './create-test-client.js';

let server: RunningGrpcServer | undefined;
let client: UserServiceClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.stop();
});

/** Serves GetUser, recording the deadline of each call (ms since the epoch, Infinity for none). */
async function recordDeadlines(): Promise<{ address: string; deadlines: number[] }> {
  const deadlines: number[] = [];
  const epochMs = (deadline: Deadline) => (deadline instanceof Date ? deadline.getTime() : deadline);
  server = await startGrpcServer({
    services: [
      {
        definition: UserServiceService,
        implementation: {
          getUser: (
            call: ServerUnaryCall<unknown, GetUserResponse>,
            callback: sendUnaryData<GetUserResponse>,
          ) => {
            deadlines.push(epochMs(call.getDeadline()));
            callback(null, GetUserResponse.create({ user: null }));
          },
        },
      },
    ],
  });
  return { address: server.address, deadlines };
}

describe('createTestClient', () => {
  it('gives a unary call the test gave no deadline one of 10 s', async () => {
    const { address, deadlines } = await recordDeadlines();
    client = createTestClient(UserServiceClient, address);
    const sent = Date.now();
    await promiseClient(client).getUser(GetUserRequest.create({ userId: 'u-1' }));
    // grpc-timeout is relative: the server adds it to its clock on arrival, so the deadline it
    // sees is the client's (at least sent + 10 s) plus the transit, which ends before now.
    expect(deadlines[0]).toBeGreaterThanOrEqual(sent + 10_000);
    expect(deadlines[0]).toBeLessThanOrEqual(Date.now() + 10_000);
  });

  it("keeps the test's own deadline", async () => {
    const { address, deadlines } = await recordDeadlines();
    client = createTestClient(UserServiceClient, address);
    const sent = Date.now();
    const deadline = sent + 2_000;
    await promiseClient(client).getUser(GetUserRequest.create({ userId: 'u-1' }), { deadline });
    // The test's deadline, later by at most the transit (grpc-timeout is relative).
    expect(deadlines[0]).toBeGreaterThanOrEqual(deadline);
    expect(deadlines[0]).toBeLessThanOrEqual(deadline + (Date.now() - sent));
  });
});
