// The policy on a real channel: two servers on loopback behind one target listing both addresses
// (what a dns:/// target of a headless Service resolves to), and the config variable naming it.
import { defineConfig, loadConfig } from '@platform/config';
import { GetUserRequest, GetUserResponse, UserServiceClient, UserServiceService } from '@platform/proto';
import { startGrpcServer } from '@platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createClient } from './create-client.js';
import { loadBalancingOptions, loadBalancingVariable, type LoadBalancingPolicy } from './load-balancing.js';
import { unaryCall } from './unary-call.js';

async function twoServers() {
  const calls = [0, 0];
  const servers = await Promise.all(
    [0, 1].map((index) =>
      startGrpcServer({
        services: [
          {
            definition: UserServiceService,
            implementation: {
              getUser: (_call: unknown, callback: (error: null, response: GetUserResponse) => void) => {
                calls[index] = (calls[index] ?? 0) + 1;
                callback(null, GetUserResponse.create({ user: null }));
              },
            },
          },
        ],
      }),
    ),
  );
  onTestFinished(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });
  return { target: `ipv4:${servers.map((server) => server.address).join(',')}`, calls };
}

async function callTwenty(policy: LoadBalancingPolicy): Promise<number[]> {
  const { target, calls } = await twoServers();
  const client = createClient(UserServiceClient, target, { channelOptions: loadBalancingOptions(policy) });
  onTestFinished(() => client.close());
  for (let i = 0; i < 20; i++) {
    await unaryCall(client.getUser.bind(client), GetUserRequest.create({ userId: 'u-1' }));
  }
  return calls;
}

describe('loadBalancingOptions', () => {
  it('round_robin spreads the calls over every address of the target', async () => {
    // Both take calls (in turn once both are connected; the first calls may find one ready).
    const calls = await callTwenty('round_robin');
    expect(calls.reduce((sum, n) => sum + n, 0)).toBe(20);
    expect(Math.min(...calls)).toBeGreaterThan(0);
  });

  it('pick_first sends every call to one address', async () => {
    expect((await callTwenty('pick_first')).sort()).toEqual([0, 20]);
  });
});

describe('loadBalancingVariable', () => {
  const schema = defineConfig({ ORDER_SERVICE_LOAD_BALANCING: loadBalancingVariable() });

  it('defaults to round_robin', () => {
    expect(loadConfig(schema, {}).ORDER_SERVICE_LOAD_BALANCING).toBe('round_robin');
  });

  it('refuses another policy, naming the variable', () => {
    expect(() => loadConfig(schema, { ORDER_SERVICE_LOAD_BALANCING: 'random' })).toThrow(
      /ORDER_SERVICE_LOAD_BALANCING/,
    );
  });
});
