import { readOrCreateFile } from '@platform/config';
import { PageTokenCodec } from '@platform/core';
import {
  anyOf,
  Closers,
  HealthService,
  infrastructureMethods,
  JwtVerifier,
  methodsIn,
  not,
} from '@platform/grpc';
import { startGrpcApp, type GrpcApp } from '@platform/nest';
import { migrateEventTables, startEvents, type EventsRuntime } from '@platform/events';
import { createMetricsRegistry, type Logger } from '@platform/observability';
import { protoFiles, serviceNames } from '@platform/proto';
import {
  Authenticator,
  LoginThrottle,
  loadSigningKey,
  migrateUserDatabase,
  orderStatsGroup,
  orderStatsProjection,
  PasswordHasher,
  TokenIssuer,
  UserAccounts,
  userRequestValidators,
  writeJwks,
} from '@platform/user-domain';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { openUserDatabase, type UserDatabaseLocation } from './open-user-database.js';
import { resolveUserServiceSettings } from './user-service-settings.js';
import type { UserServiceConfig } from './user-service.config.js';
import { UserServiceModule } from './user-service.module.js';

/** Options of {@link startUserService} beyond the configuration. */
export interface StartUserServiceOptions {
  logger: Logger;
  /**
   * Where the database is, instead of DATABASE_URL or a PGlite data directory in USER_DATA_DIR
   * (tests: PGlite in memory). Defaults to the configuration's.
   */
  database?: UserDatabaseLocation;
  /** A part failed for good (an event consumer): stop and exit non-zero. Defaults to logging it. */
  fatal?: (error: unknown) => void;
}

/** A started user service: the gRPC app (address, health, metrics, graceful `stop()`) and its own parts. */
export interface RunningUserService extends Omit<GrpcApp, 'app'> {
  /** Where the public key set was written. */
  readonly jwksFile: string;
  /** The outbox relay and the order-stats projection (disabled without KAFKA_BROKERS). */
  readonly events: EventsRuntime;
}

const userServicePath = (method: string) => `/${serviceNames.user}/${method}`;

/**
 * Starts the user service: database (migrated under the lock), keys (generated at first start
 * when not configured; the public set written for the other services), bootstrap admin, the
 * full server chain, health reflecting the database, reflection and the metrics endpoint.
 */
export async function startUserService(
  config: UserServiceConfig,
  options: StartUserServiceOptions,
): Promise<RunningUserService> {
  const { logger } = options;
  const settings = resolveUserServiceSettings(config);
  const dataDir = resolve(config.USER_DATA_DIR);
  const keysDir = join(dataDir, 'keys');

  const db = await openUserDatabase(config, options.database, (error) =>
    logger.warn({ err: error }, 'database connection lost'),
  );
  const closers = new Closers();
  closers.add(() => db.close());
  return closers.run(async () => {
    const migrated = await migrateUserDatabase(db);
    const eventTables = await migrateEventTables(db);
    logger.info(
      {
        driver: db.driver,
        applied: [...migrated.applied, ...eventTables.applied],
        version: migrated.version,
        eventTablesVersion: eventTables.version,
      },
      'database migrated',
    );

    const signing = await loadSigningKey({
      file: config.AUTH_SIGNING_KEY_FILE ?? join(keysDir, 'signing-key.json'),
      create: !config.AUTH_SIGNING_KEY_FILE,
    });
    const jwksFile = resolve(config.AUTH_JWKS_FILE);
    await writeJwks(jwksFile, [signing.key]);
    logger.info({ kid: signing.key.kid, generated: signing.created, jwksFile }, 'signing key ready');
    const pageTokenKey =
      config.USER_PAGE_TOKEN_KEY ??
      (await readOrCreateFile(join(keysDir, 'page-token.key'), () => randomBytes(32))).content;

    const hasher = new PasswordHasher(settings.scrypt);
    const accounts = new UserAccounts({ db, hasher, pageTokens: new PageTokenCodec({ key: pageTokenKey }) });
    const authenticator = new Authenticator({
      db,
      hasher,
      throttle: new LoginThrottle({
        maxFailuresPerAccount: config.AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT,
        maxFailuresPerPeer: config.AUTH_LOGIN_MAX_FAILURES_PER_PEER,
        windowMs: config.AUTH_LOGIN_FAILURE_WINDOW,
      }),
      serviceClients: settings.serviceClients,
      issuer: new TokenIssuer({
        key: signing.key,
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
        ttlMs: config.AUTH_TOKEN_TTL,
      }),
      onRehash: (userId, error) =>
        error
          ? logger.warn({ err: error, userId }, 'password hash upgrade failed')
          : logger.info({ userId }, 'password hash upgraded to the current parameters'),
    });
    if (settings.bootstrapAdmin) {
      const created = await accounts.ensureAdmin({
        ...settings.bootstrapAdmin,
        displayName: 'Administrator',
      });
      logger.info({ email: settings.bootstrapAdmin.email, created }, 'bootstrap admin ready');
    }

    const registry = createMetricsRegistry({ defaultLabels: { service: 'user-service' } });
    const events = await startEvents({
      config,
      service: 'user-service',
      logger,
      registry,
      outbox: db,
      consumers: [{ group: orderStatsGroup, db, handlers: orderStatsProjection() }],
      onFatal: options.fatal ?? ((error) => logger.error({ err: error }, 'event layer failed')),
      shutdownTimeoutMs: config.SHUTDOWN_DRAIN_TIMEOUT,
    });
    // Stopped after the gRPC server drained: calls in flight may still record events.
    closers.add(() => events.stop());
    const health = new HealthService({
      services: [serviceNames.user],
      intervalMs: config.HEALTH_CHECK_INTERVAL,
    });
    health.addCheck(serviceNames.user, (signal) => db.health({ signal }).then(() => true), 'database');
    const grpcApp = await startGrpcApp({
      module: UserServiceModule.forRoot({ accounts, authenticator }),
      package: 'platform.user.v1',
      protoPath: protoFiles.userService,
      host: config.USER_GRPC_HOST,
      port: config.USER_GRPC_PORT,
      // Requests are small; a 1 MiB cap keeps a hostile client from making us buffer more.
      channelOptions: { 'grpc.max_receive_message_length': 1024 * 1024 },
      chain: {
        errors: { domain: 'user.platform' },
        tracing: {},
        metrics: { registry },
        logging: { logger },
        deadline: {},
        auth: {
          verifier: new JwtVerifier({
            jwks: { keys: [signing.key.publicJwk] },
            issuer: config.AUTH_ISSUER,
            audience: config.AUTH_AUDIENCE,
          }),
          selector: not(
            anyOf(
              infrastructureMethods,
              methodsIn(userServicePath('CreateUser'), userServicePath('Authenticate')),
            ),
          ),
        },
        rateLimit: { ratePerSecond: config.USER_RATE_LIMIT_PER_SECOND, burst: config.USER_RATE_LIMIT_BURST },
        validation: { validators: userRequestValidators(settings.passwordPolicy) },
      },
      health,
      registry,
      metricsPort: config.USER_METRICS_PORT,
      drainTimeoutMs: config.SHUTDOWN_DRAIN_TIMEOUT,
      closeAfter: closers,
    });
    logger.info(
      { address: grpcApp.address, metricsPort: grpcApp.metricsPort, database: db.driver },
      'user-service ready',
    );

    return { ...grpcApp, jwksFile, events };
  });
}
