// The two services as the benchmark runs them: the user service and the order service, each a
// process from its build, on loopback, in a fresh temporary data folder (PGlite, or each service's
// own PostgreSQL database when given, as production runs them), on a Kafka broker when given
// (each stack in a topic namespace of its own, as `npm run dev` runs them), with the full
// server chain as deployed (tracing exported over OTLP to the runner's sink, metrics, one log
// line per call, auth, rate limit, validation). The rate limits are raised out of the way: one
// user makes every call, and the benchmark measures the chain, not the limiter refusing it.
import { freePort } from '@platform/testing';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseJsonLine, startProcess, stopProcess, type StartedProcess } from '../shared/child-processes.js';

const run = promisify(execFile);

/** What every stack of one benchmark run shares. */
export interface StackSettings {
  /** The workspace root: the services are started from `apps/<name>/dist/main.js`. */
  root: string;
  /** The run's temporary folder: each stack's data folder is made in it. */
  tempDir: string;
  /** The order service's client secret, registered at the user service. */
  clientSecret: string;
  /** OTLP/HTTP endpoint both services export spans to. */
  otlpUrl: string;
  /**
   * Kafka bootstrap address: the services relay their outboxes and run their consumers (the
   * order service keeps the users' standing only then). Without one, events stay in the outboxes.
   */
  kafkaBrokers?: string;
  /** CPU of the order service, and CPU of the user service (shared with the load generator). */
  cpus?: { order: number; user: number };
  /** Sees the services' log lines above info (warnings and errors). */
  onProblem?: (service: string, entry: Record<string, unknown>) => void;
}

export interface OrderStack {
  /** The stack's data folder: `user/`, `order/` and `auth/jwks.json`. */
  readonly dir: string;
  readonly userAddress: string;
  readonly orderAddress: string;
  readonly orderPid: number;
  /** When the order service's process was started (epoch ms): where a `--cpu-prof` profile begins. */
  readonly orderStartedAt: number;
  readonly orderMetricsPort: number;
  /** Stops both services (SIGTERM, graceful) and deletes the data folder unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/** Each service's DATABASE_URL (its own database and role); PGlite in the data folder when absent. */
export interface StackDatabaseUrls {
  user: string;
  order: string;
}

/** How to start one stack. */
export interface StackOptions {
  /** A stopped stack's folder to start on a copy of (keys; PGlite's databases). */
  template?: string;
  databases?: StackDatabaseUrls;
  /** Node options of the order service's process (`--cpu-prof` …). */
  orderNodeArgs?: readonly string[];
  /**
   * Runs each service's `migrate` (dist/migrate.js, the deploy step) before starting it, as a
   * deployment does on a new database (the service would also apply them at start).
   */
  migrate?: boolean;
}

const unlimited = '1000000';

/** Starts a stack. */
export async function startOrderStack(
  settings: StackSettings,
  options: StackOptions = {},
): Promise<OrderStack> {
  const { template, databases, migrate, orderNodeArgs = [] } = options;
  const dir = await mkdtemp(join(settings.tempDir, 'stack-'));
  const started: StartedProcess<unknown>[] = [];
  const stopAll = async () => {
    for (const service of started.splice(0).reverse()) await stopProcess(service.child);
  };
  try {
    if (template) await cp(template, dir, { recursive: true });
    const common = {
      PATH: process.env['PATH'],
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: settings.otlpUrl,
      AUTH_JWKS_FILE: join(dir, 'auth', 'jwks.json'),
      ...(settings.kafkaBrokers && {
        KAFKA_BROKERS: settings.kafkaBrokers,
        KAFKA_NAMESPACE: `bench${randomBytes(4).toString('hex')}.`,
      }),
    };
    const userEnv = {
      ...common,
      USER_GRPC_HOST: '127.0.0.1',
      USER_GRPC_PORT: String(await freePort()),
      USER_METRICS_PORT: '0',
      USER_DATA_DIR: join(dir, 'user'),
      ...(databases && { DATABASE_URL: databases.user }),
      AUTH_SERVICE_CLIENTS: `order-service:${settings.clientSecret}`,
      AUTH_TOKEN_TTL: '1h',
      PASSWORD_SCRYPT_COST: '1024',
      USER_RATE_LIMIT_PER_SECOND: unlimited,
      USER_RATE_LIMIT_BURST: unlimited,
    };
    if (migrate) await migrateService(settings, 'user-service', userEnv);
    const user = await startService(settings, 'user-service', settings.cpus?.user, userEnv);
    started.push(user);
    const orderEnv = {
      ...common,
      ORDER_GRPC_HOST: '127.0.0.1',
      ORDER_GRPC_PORT: String(await freePort()),
      ORDER_METRICS_PORT: '0',
      ORDER_DATA_DIR: join(dir, 'order'),
      ...(databases && { DATABASE_URL: databases.order }),
      USER_SERVICE_ADDRESS: user.ready.address,
      AUTH_CLIENT_SECRET: settings.clientSecret,
      ORDER_RATE_LIMIT_PER_SECOND: unlimited,
      ORDER_RATE_LIMIT_BURST: unlimited,
    };
    if (migrate) await migrateService(settings, 'order-service', orderEnv);
    const orderStartedAt = Date.now();
    const order = await startService(
      settings,
      'order-service',
      settings.cpus?.order,
      orderEnv,
      orderNodeArgs,
    );
    started.push(order);
    return {
      dir,
      userAddress: user.ready.address,
      orderAddress: order.ready.address,
      orderPid: order.pid,
      orderStartedAt,
      orderMetricsPort: order.ready.metricsPort,
      async stop(options = {}) {
        await stopAll();
        if (!options.keepData) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs the service's migrations and waits for them (its `migrate` entry point exits when done). */
async function migrateService(
  settings: StackSettings,
  name: 'user-service' | 'order-service',
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const file = join(settings.root, 'apps', name, 'dist', 'migrate.js');
  await run(process.execPath, [file], { env, timeout: 120_000 }).catch(
    (error: Error & { stderr?: string }) => {
      throw new Error(`${name} migrate failed: ${error.message}\n${error.stderr ?? ''}`);
    },
  );
}

interface Ready {
  address: string;
  metricsPort: number;
}

function startService(
  settings: StackSettings,
  name: 'user-service' | 'order-service',
  cpu: number | undefined,
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
): Promise<StartedProcess<Ready>> {
  return startProcess({
    name,
    file: process.execPath,
    args: [...nodeArgs, join(settings.root, 'apps', name, 'dist', 'main.js')],
    env,
    ...(cpu !== undefined && { cpu }),
    ready: (line) => {
      const entry = parseJsonLine(line);
      return entry?.['msg'] === `${name} ready` ? (entry as unknown as Ready) : undefined;
    },
    // Every call logs a line at info; only what is worse is kept.
    onLine: (line) => {
      if (!settings.onProblem || line.startsWith('{"level":"info"')) return;
      const entry = parseJsonLine(line);
      if (entry && entry['level'] !== 'info' && entry['level'] !== 'debug') settings.onProblem(name, entry);
    },
  });
}
