// The real user service, as a separate process from its build (apps/user-service/dist), for the
// order service's tests: services meet only over gRPC, as in production.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort, startServiceProcess } from '@platform/testing';

const userServiceMain = fileURLToPath(new URL('../../../user-service/dist/main.js', import.meta.url));

/** Who the harness can sign in as. */
export interface UserServiceSecrets {
  readonly adminEmail: string;
  readonly adminPassword: string;
  /** The order service's client credentials. */
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface UserServiceProcess {
  readonly address: string;
  readonly secrets: UserServiceSecrets;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `node apps/user-service/dist/main.js` on a free loopback port with its data in
 * `dataDir` (PGlite) or `databaseUrl`, writing its public keys to `jwksFile`; resolves when it
 * logs that it is ready.
 */
export async function startUserServiceProcess(options: {
  dataDir: string;
  jwksFile: string;
  databaseUrl?: string;
}): Promise<UserServiceProcess> {
  const secrets: UserServiceSecrets = {
    adminEmail: 'admin@example.com',
    adminPassword: `Adm1n-${randomBytes(9).toString('base64url')}-key`,
    clientId: 'order-service',
    clientSecret: randomBytes(24).toString('base64url'),
  };
  const { process: child, ready } = await startServiceProcess(
    'user-service',
    userServiceMain,
    {
      USER_GRPC_PORT: String(await freePort()),
      USER_METRICS_PORT: '0',
      USER_DATA_DIR: options.dataDir,
      AUTH_JWKS_FILE: options.jwksFile,
      AUTH_SERVICE_CLIENTS: `${secrets.clientId}:${secrets.clientSecret}`,
      BOOTSTRAP_ADMIN_EMAIL: secrets.adminEmail,
      BOOTSTRAP_ADMIN_PASSWORD: secrets.adminPassword,
      PASSWORD_SCRYPT_COST: '1024',
      LOG_LEVEL: 'info',
      ...(options.databaseUrl && { DATABASE_URL: options.databaseUrl }),
    },
    50_000,
  );
  return {
    address: String(ready['address']),
    secrets,
    async stop() {
      await child.stop();
    },
  };
}
