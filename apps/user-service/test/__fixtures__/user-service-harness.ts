// Starts the real user service (NestJS, full chain, real database) on loopback for a test, and
// gives typed clients and signed-in callers.
import 'reflect-metadata';
import { loadConfig } from '@platform/config';
import type { DatabaseTarget } from '@platform/db/testing';
import { bearer, promiseClient, type PromiseCallOptions, type PromiseClient } from '@platform/grpc';
import { createTestClient } from '@platform/grpc/testing';
import { createLogger } from '@platform/observability';
import {
  AuthenticateRequest,
  CreateUserRequest,
  UserServiceClient,
  type AuthenticateResponse,
  type User,
} from '@platform/proto';
import { freePort } from '@platform/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startUserService,
  userServiceConfig,
  type RunningUserService,
  type UserDatabaseLocation,
} from '../../src/index.js';
import { openTestDatabase } from './test-database.js';

/** A password every policy accepts, unique per call. */
export function strongPassword(): string {
  return `Tr4in-${randomBytes(12).toString('base64url')}-station`;
}

/** The credentials of the harness's bootstrap admin and service client. */
export interface HarnessSecrets {
  readonly adminEmail: string;
  readonly adminPassword: string;
  readonly serviceClientId: string;
  readonly serviceClientSecret: string;
}

/** Call options that send `token` as a bearer token (none: anonymous). */
export function asUser(token: string | undefined, options: PromiseCallOptions = {}): PromiseCallOptions {
  return token ? { ...options, metadata: bearer(token) } : options;
}

/** A running user service and ways to call it. */
export interface UserServiceHarness {
  readonly service: RunningUserService;
  readonly secrets: HarnessSecrets;
  readonly dataDir: string;
  /** UserService's unary methods as promises; they reject with `ClientError`. */
  readonly users: PromiseClient<UserServiceClient>;
  /** Signs up a new user and signs in; returns the account and its token. */
  signUp(overrides?: {
    email?: string;
    displayName?: string;
  }): Promise<{ user: User; token: string; password: string }>;
  signIn(email: string, password: string): Promise<AuthenticateResponse>;
  adminToken(): Promise<string>;
  serviceToken(): Promise<string>;
  /** Stops the service (graceful), leaving the data directory for a restart. */
  stop(): Promise<void>;
  /** Stops the service and deletes its data directory. */
  dispose(): Promise<void>;
}

/** Options of {@link startUserServiceHarness}. */
export interface HarnessOptions {
  database: UserDatabaseLocation;
  /** Extra or overriding environment variables of the service's configuration. */
  env?: Record<string, string>;
  /** Reuse a data directory (a restart) and these secrets. */
  dataDir?: string;
  secrets?: HarnessSecrets;
}

export async function startUserServiceHarness(options: HarnessOptions): Promise<UserServiceHarness> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'user-service-test-')));
  const secrets = options.secrets ?? {
    adminEmail: `admin-${randomBytes(4).toString('hex')}@example.com`,
    adminPassword: strongPassword(),
    serviceClientId: 'order-service',
    serviceClientSecret: randomBytes(24).toString('base64url'),
  };
  const config = loadConfig(userServiceConfig, {
    USER_GRPC_PORT: String(await freePort()),
    USER_METRICS_PORT: '0',
    USER_DATA_DIR: dataDir,
    AUTH_JWKS_FILE: join(dataDir, 'public', 'jwks.json'),
    AUTH_SERVICE_CLIENTS: `${secrets.serviceClientId}:${secrets.serviceClientSecret}`,
    BOOTSTRAP_ADMIN_EMAIL: secrets.adminEmail,
    BOOTSTRAP_ADMIN_PASSWORD: secrets.adminPassword,
    // Fast hashing for tests; the default parameters are covered by the hasher's own spec.
    PASSWORD_SCRYPT_COST: '1024',
    HEALTH_CHECK_INTERVAL: '100ms',
    SHUTDOWN_DRAIN_TIMEOUT: '2s',
    ...options.env,
  });
  let service: RunningUserService;
  try {
    service = await startUserService(config, {
      logger: createLogger({ name: 'user-service', level: 'silent' }),
      database: options.database,
    });
  } catch (error) {
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const client = createTestClient(UserServiceClient, service.address);
  const users = promiseClient(client);

  const signIn = (email: string, password: string) =>
    users.authenticate(AuthenticateRequest.create({ password: { email, password } }));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.close();
    await service.stop();
  };
  return {
    service,
    secrets,
    dataDir,
    users,
    signIn,
    async signUp(overrides = {}) {
      const password = strongPassword();
      const email = overrides.email ?? `user-${randomBytes(6).toString('hex')}@example.com`;
      const { user } = await users.createUser(
        CreateUserRequest.create({
          email,
          password,
          displayName: overrides.displayName ?? 'Ada Lovelace',
        }),
      );
      if (!user) throw new Error('CreateUser answered without a user');
      const { accessToken } = await signIn(email, password);
      return { user, token: accessToken, password };
    },
    adminToken: async () => (await signIn(secrets.adminEmail, secrets.adminPassword)).accessToken,
    serviceToken: async () =>
      (
        await users.authenticate(
          AuthenticateRequest.create({
            client: {
              clientId: secrets.serviceClientId,
              clientSecret: secrets.serviceClientSecret,
            },
          }),
        )
      ).accessToken,
    stop,
    async dispose() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the harness on a fresh database of `target` (see `openTestDatabase`); its `dispose()`
 * also drops that database.
 */
export async function startUserServiceOn(
  target: DatabaseTarget,
  options: Omit<HarnessOptions, 'database'> = {},
): Promise<UserServiceHarness> {
  const database = await openTestDatabase(target);
  try {
    const harness = await startUserServiceHarness({ ...options, database: database.location });
    return {
      ...harness,
      async dispose() {
        try {
          await harness.dispose();
        } finally {
          await database.dispose();
        }
      },
    };
  } catch (error) {
    await database.dispose();
    throw error;
  }
}
