// What operators rely on: grpc.health.v1 answers, the metrics endpoint, graceful shutdown, and
// configuration errors that name the variable without echoing secrets.
import { ConfigError, loadConfig } from '@platform/config';
import { pgliteTarget } from '@platform/db/testing';
import { checkHealth } from '@platform/testing';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { userServiceConfig } from '../src/index.js';
import { resolveUserServiceSettings } from '../src/user-service-settings.js';
import {
  asUser,
  startUserServiceOn,
  strongPassword,
  type UserServiceHarness,
} from './__fixtures__/user-service-harness.js';
import { CreateUserRequest, ListUsersRequest } from '@platform/proto';

async function started(env: Record<string, string> = {}): Promise<UserServiceHarness> {
  const harness = await startUserServiceOn(pgliteTarget, { env });
  onTestFinished(() => harness.dispose());
  return harness;
}

describe('health', () => {
  it('reports the service SERVING over grpc.health.v1 without a token', async () => {
    const harness = await started();
    await expect(checkHealth(harness.service.address, 'platform.user.v1.UserService')).resolves.toEqual({
      status: 'SERVING',
    });
    await expect(checkHealth(harness.service.address)).resolves.toEqual({ status: 'SERVING' });
  });
});

describe('metrics', () => {
  it('counts handled calls per method and code on GET /metrics', async () => {
    const harness = await started();
    await harness.signUp();
    const response = await fetch(`http://127.0.0.1:${harness.service.metricsPort}/metrics`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toMatch(
      /grpc_server_handled_total\{[^}]*grpc_method="CreateUser"[^}]*grpc_code="OK"[^}]*\} 1\b|grpc_server_handled_total\{[^}]*grpc_code="OK"[^}]*grpc_method="CreateUser"[^}]*\} 1\b/,
    );
    expect(text).toMatch(/service="user-service"/);
  });
});

describe('graceful shutdown', () => {
  it('finishes the calls in flight, then reports NOT_SERVING and refuses new calls', async () => {
    // Sign-up hashes with scrypt at N = 2^17 (hundreds of ms): a call still running when stop() begins.
    const harness = await started({ PASSWORD_SCRYPT_COST: '131072' });
    const token = await harness.adminToken();
    const inFlight = harness.users.createUser(
      CreateUserRequest.create({
        email: 'late@example.com',
        password: strongPassword(),
        displayName: 'Late',
      }),
    );
    await vi.waitFor(() => expect(harness.service.inFlight.counts.requests).toBe(1), {
      interval: 2,
      timeout: 30_000,
    });
    const stopping = harness.service.stop();
    await expect(inFlight).resolves.toMatchObject({ user: { email: 'late@example.com' } });
    const result = await stopping;
    expect(result).toMatchObject({ forced: false });
    expect(harness.service.health.status('platform.user.v1.UserService')).toBe('NOT_SERVING');
    await expect(
      harness.users.listUsers(
        ListUsersRequest.create({ pageSize: 1, pageToken: '' }),
        asUser(token, { deadline: Date.now() + 500 }),
      ),
    ).rejects.toMatchObject({
      code: expect.any(Number),
    });
  });
});

describe('configuration', () => {
  it('names every bad variable at once', () => {
    const error = (() => {
      try {
        loadConfig(userServiceConfig, {
          USER_GRPC_PORT: '70000',
          DATABASE_URL: 'mysql://root:hunter2@db/users',
          AUTH_TOKEN_TTL: '5s',
          USER_PAGE_TOKEN_KEY: 'dG9vIHNob3J0',
        });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/USER_GRPC_PORT/);
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).toMatch(/AUTH_TOKEN_TTL/);
    expect(message).toMatch(/USER_PAGE_TOKEN_KEY: expected 32 bytes in base64/);
    expect(message).not.toMatch(/hunter2|dG9vIHNob3J0/);
  });

  it('checks variables that depend on each other, never echoing a secret', () => {
    const secret = 'short-secret';
    const config = loadConfig(userServiceConfig, {
      AUTH_SERVICE_CLIENTS: `order-service:${secret}`,
      BOOTSTRAP_ADMIN_EMAIL: 'admin@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'password',
      PASSWORD_SCRYPT_COST: '1000',
    });
    let error: unknown;
    try {
      resolveUserServiceSettings(config);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((problem) => problem.variable).sort();
    expect(variables).toEqual(['AUTH_SERVICE_CLIENTS', 'BOOTSTRAP_ADMIN_PASSWORD', 'PASSWORD_SCRYPT_COST']);
    expect((error as ConfigError).message).not.toContain(secret);
  });
});
