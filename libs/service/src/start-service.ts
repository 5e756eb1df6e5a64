import { readOrCreateFile } from '@platform/config';
import type { Database, DatabaseSchema } from '@platform/db';
import { startEvents, type ConsumerSpec, type EventsConfig, type EventsRuntime } from '@platform/events';
import {
  connectionAgeOptions,
  HealthService,
  type ClientChainOptions,
  type ServerChainOptions,
} from '@platform/grpc';
import { startGrpcApp, type GrpcApp, type StartGrpcAppOptions } from '@platform/nest';
import { createMetricsRegistry, startMetricsServer, type Logger } from '@platform/observability';
import { platformEventTypes, platformTopics } from '@platform/proto';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Registry } from 'prom-client';
import { Closers } from './closers.js';
import {
  migrateServiceDatabase,
  openDatabaseOf,
  type DatabaseConfig,
  type DatabaseLocation,
  type DatabaseOwner,
} from './service-database.js';

/** The variables every service process has (`kafkaVariables` and a drain bound). */
export interface ServiceConfig extends EventsConfig {
  readonly SHUTDOWN_DRAIN_TIMEOUT: number;
}

/** The variables of a service with a database and a gRPC server (`databaseVariables` too). */
export interface ServingConfig extends ServiceConfig, DatabaseConfig {
  readonly HEALTH_CHECK_INTERVAL: number;
  /** `grpcServerVariables`: the server ends connections after this, so clients re-balance. */
  readonly GRPC_MAX_CONNECTION_AGE?: number | undefined;
  readonly GRPC_MAX_CONNECTION_AGE_GRACE?: number | undefined;
}

/** What the runtime hands a service's wiring. */
export interface ServiceRuntime<Config> {
  readonly name: string;
  readonly config: Config;
  readonly logger: Logger;
  /** The process's metrics, labelled `service: <name>`; served on `GET /metrics`. */
  readonly registry: Registry;
  /** The client chain's telemetry (tracing, metrics in the registry, logging) for the wiring's clients. */
  readonly clientChain: Pick<ClientChainOptions, 'tracing' | 'metrics' | 'logging'>;
  /**
   * What the wiring opens (clients, feeds): closed on stop, last added first, after the server
   * drained and the event layer stopped; also when the start fails half-way.
   */
  readonly closers: Closers;
}

/** What the runtime hands the wiring of a service with a database. */
export interface ServingRuntime<Config, Schema extends DatabaseSchema> extends ServiceRuntime<Config> {
  /** Opened and migrated (the service's migrations, then the event tables'). */
  readonly db: Database<Schema>;
  /** `<dataDir>/keys`: where the service keeps keys it generates. */
  readonly keysDir: string;
  /** `configured`, else a random 32-byte key kept in `keys/<file>` (made at first start). */
  key(file: string, configured?: Uint8Array): Promise<Uint8Array>;
}

/** What a service's wiring answers: its own parts and the consumers of its event layer. */
export interface Wired<Own> {
  /** Returned with the running service (tests read them: a change feed, a key file …). */
  own: Own;
  /** The consumer groups of the event layer. Defaults to none. */
  consumers?: readonly ConsumerSpec[];
  /** Further fields of the ready line. */
  ready?: Record<string, unknown>;
}

/**
 * The service's gRPC server: what is its own. The runtime adds tracing, metrics, logging,
 * deadlines and the shutdown tracker to the chain, health (reporting the database), reflection
 * and the metrics endpoint.
 */
export interface ServedGrpc extends Pick<
  StartGrpcAppOptions,
  'module' | 'package' | 'protoPath' | 'host' | 'port' | 'metricsPort' | 'channelOptions'
> {
  /** The proto service health reports on (`serviceNames.order`): SERVING while the database answers. */
  service: string;
  /** The chain's own concerns: the errors' domain, auth, rate limits, validation. */
  chain: Omit<ServerChainOptions, 'tracing' | 'metrics' | 'logging' | 'deadline' | 'shutdown'>;
}

/** A service with a database and a gRPC server (user-service, order-service). */
export interface ServingDefinition<
  Config extends ServingConfig,
  Schema extends DatabaseSchema,
  Own,
> extends DatabaseOwner<Config, Schema> {
  /** `order-service`: metrics label, Kafka client id, database application name, ready line. */
  name: string;
  wire(runtime: ServingRuntime<Config, Schema>): Promise<Wired<Own> & { grpc: ServedGrpc }>;
}

/** A process of consumers and clients only (fulfillment-worker): no database, no server. */
export interface WorkerDefinition<Config extends ServiceConfig, Own> {
  name: string;
  wire(runtime: ServiceRuntime<Config>): Promise<Wired<Own> & { metrics: { host: string; port: number } }>;
}

/** Options of {@link startService} beyond the configuration. */
export interface StartServiceOptions {
  logger: Logger;
  /** Where the database is, instead of DATABASE_URL or PGlite in the data directory (tests: PGlite in memory). */
  database?: DatabaseLocation;
  /** A part failed for good (an event consumer): `runService`'s `fatal`. Defaults to logging it. */
  fatal?: (error: unknown) => void;
}

/** A started service: the gRPC app (address, health, metrics, graceful `stop()`) and the event layer. */
export type RunningService<Own> = Own & Omit<GrpcApp, 'app'> & { readonly events: EventsRuntime };

/** A started worker; `stop()` is `forced` when the consumers did not stop within SHUTDOWN_DRAIN_TIMEOUT. */
export type RunningWorker<Own> = Own & {
  /** Where Prometheus scrapes `GET /metrics` (the port picked for 0). */
  readonly metricsPort: number;
  readonly registry: Registry;
  readonly events: EventsRuntime;
  stop(): Promise<{ forced: boolean }>;
};

/**
 * Starts a service the platform's way, the sequence every service shares: metrics registry ->
 * database, migrated under the lock (a service) -> the service's own wiring -> event layer
 * (outbox relay, consumers) -> gRPC app with health, reflection and metrics (a service) or the
 * metrics endpoint (a worker) -> ready line. `stop()` drains the server, then stops the event
 * layer, then closes the wiring's parts and the database. Telemetry and the process around it
 * are `runService`'s.
 */
export function startService<Config extends ServingConfig, Schema extends DatabaseSchema, Own>(
  definition: ServingDefinition<Config, Schema, Own>,
  config: Config,
  options: StartServiceOptions,
): Promise<RunningService<Own>>;
export function startService<Config extends ServiceConfig, Own>(
  definition: WorkerDefinition<Config, Own>,
  config: Config,
  options: StartServiceOptions,
): Promise<RunningWorker<Own>>;
export function startService(
  definition:
    ServingDefinition<ServingConfig, DatabaseSchema, unknown> | WorkerDefinition<ServiceConfig, unknown>,
  config: ServingConfig,
  options: StartServiceOptions,
): Promise<unknown> {
  const { name } = definition;
  const { logger } = options;
  const registry = createMetricsRegistry({ defaultLabels: { service: name } });
  const runtime: ServiceRuntime<ServingConfig> = {
    name,
    config,
    logger,
    registry,
    clientChain: { tracing: {}, metrics: { registry }, logging: { logger } },
    closers: new Closers(),
  };
  return runtime.closers.run<unknown>(() =>
    'database' in definition
      ? startServing(definition, runtime, options)
      : startWorker(definition, runtime, options),
  );
}

function startEventLayer(
  runtime: ServiceRuntime<ServiceConfig>,
  wired: Wired<unknown>,
  options: StartServiceOptions,
  outbox?: Database<DatabaseSchema>,
): Promise<EventsRuntime> {
  const { name, config, logger, registry } = runtime;
  return startEvents({
    config,
    service: name,
    logger,
    registry,
    topics: platformTopics,
    eventTypes: platformEventTypes,
    ...(outbox && { outbox }),
    consumers: wired.consumers ?? [],
    onFatal: options.fatal ?? ((error) => logger.error({ err: error }, 'event layer failed')),
    shutdownTimeoutMs: config.SHUTDOWN_DRAIN_TIMEOUT,
  });
}

async function startServing(
  definition: ServingDefinition<ServingConfig, DatabaseSchema, unknown>,
  runtime: ServiceRuntime<ServingConfig>,
  options: StartServiceOptions,
): Promise<RunningService<unknown>> {
  const { name, config, logger, registry, closers } = runtime;
  const db = await openDatabaseOf(definition, config, options.database, (error) =>
    logger.warn({ err: error }, 'database connection lost'),
  );
  closers.add(() => db.close());
  const migrated = await migrateServiceDatabase(db, definition.database);
  logger.info({ driver: db.driver, ...migrated }, 'database migrated');
  const keysDir = join(resolve(definition.dataDir(config)), 'keys');
  const wired = await definition.wire({
    ...runtime,
    db,
    keysDir,
    key: async (file, configured) =>
      configured ?? (await readOrCreateFile(join(keysDir, file), () => randomBytes(32))).content,
  });
  const events = await startEventLayer(runtime, wired, options, db);
  // Stopped after the gRPC server drained: calls in flight may still record events.
  closers.add(() => events.stop());

  const { service, chain, ...served } = wired.grpc;
  const health = new HealthService({ services: [service], intervalMs: config.HEALTH_CHECK_INTERVAL });
  health.addCheck(service, (signal) => db.health({ signal }).then(() => true), 'database');
  const { app: _app, ...grpcApp } = await startGrpcApp({
    ...served,
    // Clients reconnect (and re-resolve) after the age: new replicas get calls.
    channelOptions: { ...connectionAgeOptions(config), ...served.channelOptions },
    chain: { ...chain, tracing: {}, metrics: { registry }, logging: { logger }, deadline: {} },
    health,
    registry,
    drainTimeoutMs: config.SHUTDOWN_DRAIN_TIMEOUT,
    closeAfter: () => closers.closeAll(),
  });
  logger.info(
    { address: grpcApp.address, metricsPort: grpcApp.metricsPort, database: db.driver, ...wired.ready },
    `${name} ready`,
  );
  return Object.assign(wired.own as object, grpcApp, { events });
}

async function startWorker(
  definition: WorkerDefinition<ServiceConfig, unknown>,
  runtime: ServiceRuntime<ServiceConfig>,
  options: StartServiceOptions,
): Promise<RunningWorker<unknown>> {
  const { name, config, logger, registry, closers } = runtime;
  const wired = await definition.wire(runtime);
  const metrics = await startMetricsServer({ ...wired.metrics, registry });
  closers.add(() => metrics.close());
  const events = await startEventLayer(runtime, wired, options);
  let forced = false;
  closers.add(async () => {
    forced = await stopsWithin(events, config.SHUTDOWN_DRAIN_TIMEOUT);
    if (forced) logger.warn('consumers did not stop within SHUTDOWN_DRAIN_TIMEOUT');
  });
  logger.info({ metricsPort: metrics.port, ...wired.ready }, `${name} ready`);
  return Object.assign(wired.own as object, {
    metricsPort: metrics.port,
    registry,
    events,
    async stop() {
      await closers.closeAll();
      return { forced };
    },
  });
}

/** Stops the event layer; true when it took longer than `boundMs` (it is left to finish). */
async function stopsWithin(events: EventsRuntime, boundMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), boundMs);
  });
  try {
    return (await Promise.race([events.stop(), bound])) === 'timeout';
  } finally {
    clearTimeout(timer);
  }
}
