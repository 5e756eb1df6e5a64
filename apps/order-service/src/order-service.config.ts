import { databaseVariables } from '@platform/db';
import { kafkaVariables } from '@platform/events';
import { grpcServerVariables, loadBalancingVariable } from '@platform/grpc';
import { defineConfig, duration, filePath, oneOf, positiveInt, secret, type Config } from '@platform/config';
import { servingVariables } from '@platform/service';
import * as z from 'zod';

/**
 * The order service's configuration: environment variables, validated at start (a bad one stops
 * the process with exit code 78 and a message naming it). The README lists them.
 */
export const orderServiceConfig = defineConfig({
  ...servingVariables('ORDER', {
    grpcPort: 50_052,
    metricsPort: 9_465,
    dataDir: '.data/order-service',
    ratePerSecond: 500,
    burst: 1_000,
  }),
  ...databaseVariables,
  ...kafkaVariables,

  /** The user service: `host:port` or a gRPC target (`dns:///user-service:50051`). */
  USER_SERVICE_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
  /** How calls spread over the target's addresses: every one (`round_robin`) or the first that answers. */
  USER_SERVICE_LOAD_BALANCING: loadBalancingVariable(),
  /** Deadline of a call to the user service when the incoming call leaves more time. */
  USER_SERVICE_TIMEOUT: duration({ minMs: 10 }).default(2_000),
  /** This service's client credentials at the user service (a service principal). */
  AUTH_CLIENT_ID: z.string().min(1).default('order-service'),
  AUTH_CLIENT_SECRET: secret(z.string().min(24)),
  /** Accepted `iss` and `aud` of access tokens. */
  AUTH_ISSUER: z.string().default('user.platform'),
  AUTH_AUDIENCE: z.string().default('platform'),
  /** The public key set the user service publishes. */
  AUTH_JWKS_FILE: filePath({ mustExist: false }).default('.data/auth/jwks.json'),

  /** Most line items in one order, and the largest quantity of one. */
  ORDER_MAX_ITEMS: positiveInt().default(100),
  ORDER_MAX_QUANTITY: positiveInt().default(1_000_000),
  /** Largest request message accepted; larger ones get RESOURCE_EXHAUSTED. */
  ORDER_MAX_MESSAGE_BYTES: positiveInt().default(256 * 1024),
  /**
   * How long CreateOrder trusts a user's active standing without asking the user service again
   * (with Kafka; a consumed UserDeactivated ends it at once): the bound on a lost event's effect.
   */
  ORDER_USER_STANDING_MAX_AGE: duration({ minMs: 1_000 }).default(3_600_000),
  /** Most orders one TrackOrders stream may follow. */
  ORDER_TRACK_MAX_SUBSCRIPTIONS: positiveInt().default(1_000),
  ...grpcServerVariables,
  LOG_LEVEL: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type OrderServiceConfig = Config<typeof orderServiceConfig>;
