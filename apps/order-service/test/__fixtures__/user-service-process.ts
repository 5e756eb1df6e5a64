// The real user service, as a separate process from its build (apps/user-service/dist), for the
// order service's tests: services meet only over gRPC, as in production.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from '@platform/testing';

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
  const port = await freePort();
  const child = spawn(process.execPath, [userServiceMain], {
    env: {
      PATH: process.env['PATH'],
      USER_GRPC_PORT: String(port),
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
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const address = await readyAddress(child);
  return {
    address,
    secrets,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function readyAddress(child: ChildProcess): Promise<string> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`user-service did not get ready in 50 s\n${stderr}`));
    }, 50_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`user-service exited with ${code} before it was ready\n${stderr}`));
    });
    if (!child.stdout) return;
    // Read every line, also after ready: a full pipe would stall the process.
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = parseLogLine(line);
      if (entry?.msg === 'user-service ready' && entry.address) {
        clearTimeout(timer);
        resolve(entry.address);
      }
    });
  });
}

function parseLogLine(line: string): { msg?: string; address?: string } | undefined {
  try {
    return JSON.parse(line) as { msg?: string; address?: string };
  } catch {
    return undefined;
  }
}
