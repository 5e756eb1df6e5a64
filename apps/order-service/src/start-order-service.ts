import { readOrCreateFile } from '@platform/config';
import { listen } from '@platform/db';
import { PageTokenCodec } from '@platform/core';
import { anyOf, Closers, HealthService, infrastructureMethods, JwtVerifier, not } from '@platform/grpc';
import { migrateEventTables, startEvents, type EventsRuntime } from '@platform/events';
import { startGrpcApp, type GrpcApp } from '@platform/nest';
import { createMetricsRegistry, type Logger } from '@platform/observability';
import {
  cancelOrdersOfDeactivatedUsers,
  migrateOrderDatabase,
  OrderBook,
  OrderChangeFeed,
  orderChangesChannel,
  orderRequestValidators,
  userDeactivationsGroup,
  type UserDirectory,
} from '@platform/order-domain';
import { protoFiles, serviceNames } from '@platform/proto';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { openOrderDatabase, type OrderDatabaseLocation } from './open-order-database.js';
import { OrderDomain } from './order-domain.js';
import { OrderServiceModule } from './order-service.module.js';
import type { OrderServiceConfig } from './order-service.config.js';
import { createUserServiceClient } from './user-service-client.js';
import { UserServiceDirectory } from './user-service-directory.js';

/** Options of {@link startOrderService} beyond the configuration. */
export interface StartOrderServiceOptions {
  logger: Logger;
  /** Where the database is, instead of DATABASE_URL or PGlite in ORDER_DATA_DIR (tests: PGlite in memory). */
  database?: OrderDatabaseLocation;
  /** A part failed for good (an event consumer): stop and exit non-zero. Defaults to logging it. */
  fatal?: (error: unknown) => void;
}

/** A started order service: the gRPC app (address, health, metrics, graceful `stop()`) and its own parts. */
export interface RunningOrderService extends Omit<GrpcApp, 'app'> {
  /** The change feed behind the streams (its `listenerCount` shows leaked listeners). */
  readonly feed: OrderChangeFeed;
  /** The outbox relay and the UserDeactivated consumer (disabled without KAFKA_BROKERS). */
  readonly events: EventsRuntime;
}

const orderServicePath = (method: string) => `/${serviceNames.order}/${method}`;

/**
 * Starts the order service: database (migrated under the lock), the user-service client (as a
 * service principal), the change feed (LISTEN on committed order changes), the full server
 * chain, health reflecting the database, reflection and the metrics endpoint.
 */
export async function startOrderService(
  config: OrderServiceConfig,
  options: StartOrderServiceOptions,
): Promise<RunningOrderService> {
  const { logger } = options;
  const db = await openOrderDatabase(config, options.database, (error) =>
    logger.warn({ err: error }, 'database connection lost'),
  );
  const closers = new Closers();
  closers.add(() => db.close());
  return closers.run(async () => {
    const migrated = await migrateOrderDatabase(db);
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
    const pageTokenKey =
      config.ORDER_PAGE_TOKEN_KEY ??
      (
        await readOrCreateFile(join(resolve(config.ORDER_DATA_DIR), 'keys', 'page-token.key'), () =>
          randomBytes(32),
        )
      ).content;

    const registry = createMetricsRegistry({ defaultLabels: { service: 'order-service' } });
    const client = createUserServiceClient(config, {
      tracing: {},
      metrics: { registry },
      logging: { logger },
      retry: {},
      circuitBreaker: {},
    });
    closers.add(() => client.close());
    const users: UserDirectory = new UserServiceDirectory(client.users);
    const limits = { maxItems: config.ORDER_MAX_ITEMS, maxQuantity: config.ORDER_MAX_QUANTITY };
    const book = new OrderBook({ db, users, pageTokens: new PageTokenCodec({ key: pageTokenKey }), limits });
    const feed = new OrderChangeFeed({
      db,
      source: (onChange, onGap) =>
        listen(db, orderChangesChannel, onChange, {
          onReconnect: onGap,
          onError: (error) => logger.warn({ err: error }, 'order change feed'),
        }),
      onError: (error, orderId) =>
        logger.warn({ err: error, orderId }, 'order change feed could not read an order'),
    });
    await feed.start();
    closers.add(() => feed.stop());

    const events = await startEvents({
      config,
      service: 'order-service',
      logger,
      registry,
      outbox: db,
      consumers: [
        {
          group: userDeactivationsGroup,
          db,
          handlers: [
            cancelOrdersOfDeactivatedUsers(book, (userId, orderIds) =>
              logger.info({ userId, orderIds }, 'cancelled the pending orders of a deactivated user'),
            ),
          ],
        },
      ],
      onFatal: options.fatal ?? ((error) => logger.error({ err: error }, 'event layer failed')),
      shutdownTimeoutMs: config.SHUTDOWN_DRAIN_TIMEOUT,
    });
    // Stopped after the gRPC server drained: calls in flight may still record events.
    closers.add(() => events.stop());

    const health = new HealthService({
      services: [serviceNames.order],
      intervalMs: config.HEALTH_CHECK_INTERVAL,
    });
    health.addCheck(serviceNames.order, (signal) => db.health({ signal }).then(() => true), 'database');
    const domain = new OrderDomain(
      book,
      feed,
      users,
      {
        onInternalError: (error, errorId) => logger.error({ err: error, errorId }, 'import item failed'),
      },
      { maxSubscriptions: config.ORDER_TRACK_MAX_SUBSCRIPTIONS },
    );
    const grpcApp = await startGrpcApp({
      module: OrderServiceModule.forRoot(domain),
      package: 'platform.order.v1',
      protoPath: protoFiles.orderService,
      host: config.ORDER_GRPC_HOST,
      port: config.ORDER_GRPC_PORT,
      channelOptions: { 'grpc.max_receive_message_length': config.ORDER_MAX_MESSAGE_BYTES },
      chain: {
        errors: { domain: 'order.platform' },
        tracing: {},
        metrics: { registry },
        logging: { logger },
        deadline: {},
        auth: {
          verifier: new JwtVerifier({
            jwksFile: resolve(config.AUTH_JWKS_FILE),
            issuer: config.AUTH_ISSUER,
            audience: config.AUTH_AUDIENCE,
          }),
          selector: not(anyOf(infrastructureMethods)),
          requiredRoles: { [orderServicePath('ConfirmOrder')]: ['service'] },
        },
        rateLimit: {
          ratePerSecond: config.ORDER_RATE_LIMIT_PER_SECOND,
          burst: config.ORDER_RATE_LIMIT_BURST,
        },
        validation: { validators: orderRequestValidators(limits) },
      },
      health,
      registry,
      metricsPort: config.ORDER_METRICS_PORT,
      drainTimeoutMs: config.SHUTDOWN_DRAIN_TIMEOUT,
      closeAfter: closers,
    });
    logger.info(
      { address: grpcApp.address, metricsPort: grpcApp.metricsPort, database: db.driver },
      'order-service ready',
    );

    return { ...grpcApp, feed, events };
  });
}
