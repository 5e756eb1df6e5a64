import { PageTokenCodec } from '@platform/core';
import { listen } from '@platform/db';
import { grpcServiceModule } from '@platform/nest';
import { loadBalancingOptions } from '@platform/grpc';
import {
  cancelOrdersOfDeactivatedUsers,
  migrateOrderDatabase,
  OrderBook,
  OrderChangeFeed,
  orderChangesChannel,
  orderRequestValidators,
  orderSchema,
  userDeactivationsGroup,
  type OrderSchema,
} from '@platform/order-domain';
import { protoFiles, serviceNames, UserServiceClient } from '@platform/proto';
import {
  accessTokenVerifier,
  grpcAddressOf,
  rateLimitOf,
  ServiceSignIn,
  startService,
  type RunningService,
  type ServingDefinition,
  type StartServiceOptions,
} from '@platform/service';
import { OrderDomain } from './order-domain.js';
import { OrderController } from './order.controller.js';
import type { OrderServiceConfig } from './order-service.config.js';
import { UserServiceDirectory } from './user-service-directory.js';

/** A started order service: the gRPC app, the event layer and the change feed behind the streams. */
export type RunningOrderService = RunningService<{ readonly feed: OrderChangeFeed }>;

/**
 * The order service's own parts on the service runtime: the user-service client (as the
 * AUTH_CLIENT_ID service principal), the order book, the change feed (LISTEN on committed order
 * changes), the UserDeactivated consumer and its server chain.
 */
export const orderService: ServingDefinition<OrderServiceConfig, OrderSchema, { feed: OrderChangeFeed }> = {
  name: 'order-service',
  dataDir: (config) => config.ORDER_DATA_DIR,
  database: { schema: orderSchema, migrate: migrateOrderDatabase },
  async wire({ config, logger, db, closers, clientChain, key }) {
    const signIn = ServiceSignIn.fromConfig(config, { ...clientChain, retry: {}, circuitBreaker: {} });
    closers.add(() => signIn.close());
    const client = signIn.client(
      UserServiceClient,
      config.USER_SERVICE_ADDRESS,
      config.USER_SERVICE_TIMEOUT,
      loadBalancingOptions(config.USER_SERVICE_LOAD_BALANCING),
    );
    const users = new UserServiceDirectory(client, signIn);
    const limits = { maxItems: config.ORDER_MAX_ITEMS, maxQuantity: config.ORDER_MAX_QUANTITY };
    const pageTokens = new PageTokenCodec({ key: await key('page-token.key', config.ORDER_PAGE_TOKEN_KEY) });
    // The users' standing is kept only while the UserDeactivated consumer runs to update it.
    const keptStandings = config.KAFKA_BROKERS?.length
      ? { maxAgeMs: config.ORDER_USER_STANDING_MAX_AGE }
      : undefined;
    const book = new OrderBook({ db, users, pageTokens, limits, keptStandings });
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
    const domain = new OrderDomain(
      book,
      feed,
      users,
      { onInternalError: (error, errorId) => logger.error({ err: error, errorId }, 'import item failed') },
      { maxSubscriptions: config.ORDER_TRACK_MAX_SUBSCRIPTIONS },
    );
    const cancelled = (userId: string, orderIds: readonly string[]) =>
      logger.info({ userId, orderIds }, 'cancelled the pending orders of a deactivated user');
    return {
      own: { feed },
      consumers: [
        { group: userDeactivationsGroup, db, handlers: [cancelOrdersOfDeactivatedUsers(book, cancelled)] },
      ],
      grpc: {
        service: serviceNames.order,
        module: grpcServiceModule({
          controllers: [OrderController],
          providers: [{ provide: OrderDomain, useValue: domain }],
        }),
        package: 'platform.order.v1',
        protoPath: protoFiles.orderService,
        ...grpcAddressOf(config, 'ORDER'),
        channelOptions: {
          'grpc.max_receive_message_length': config.ORDER_MAX_MESSAGE_BYTES,
        },
        chain: {
          errors: { domain: 'order.platform' },
          auth: {
            verifier: accessTokenVerifier(config),
            requiredRoles: { [`/${serviceNames.order}/ConfirmOrder`]: ['service'] },
          },
          rateLimit: rateLimitOf(config, 'ORDER'),
          validation: { validators: orderRequestValidators(limits) },
        },
      },
    };
  },
};

/** Starts the order service (tests and the dev runner start it in-process). */
export function startOrderService(
  config: OrderServiceConfig,
  options: StartServiceOptions,
): Promise<RunningOrderService> {
  return startService(orderService, config, options);
}
