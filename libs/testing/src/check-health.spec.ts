import { status as GrpcStatus } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';
import { afterEach, describe, expect, it } from 'vitest';
import { checkHealth } from './check-health.js';
import { startGrpcServer, type RunningGrpcServer } from './start-grpc-server.js';

let server: RunningGrpcServer | undefined;
afterEach(() => server?.stop());

async function serveHealth(statuses: ServingStatusMap) {
  server = await startGrpcServer({ services: [] });
  new HealthImplementation(statuses).addToServer(server.server);
  return server.address;
}

describe('checkHealth', () => {
  it("resolves with the status the server reports for a service, and for '' the server's", async () => {
    const address = await serveHealth({ '': 'SERVING', 'platform.test.v1.Draining': 'NOT_SERVING' });
    await expect(checkHealth(address, 'platform.test.v1.Draining')).resolves.toEqual({
      status: 'NOT_SERVING',
    });
    await expect(checkHealth(address)).resolves.toEqual({ status: 'SERVING' });
  });

  it('rejects with NOT_FOUND for a service the server does not know', async () => {
    const address = await serveHealth({ '': 'SERVING' });
    await expect(checkHealth(address, 'platform.test.v1.Unknown')).rejects.toMatchObject({
      code: GrpcStatus.NOT_FOUND,
    });
  });
});
