import { defineConfig, duration, oneOf, port, secret, type Config } from '@platform/config';
import { consumerTimeouts, kafkaVariables } from '@platform/events';
import { loadBalancingVariable } from '@platform/grpc';
import * as z from 'zod';

/**
 * The fulfillment worker's configuration: environment variables, validated at start (a bad one
 * stops the process with exit code 78 and a message naming it). The README lists them.
 */
export const fulfillmentWorkerConfig = defineConfig({
  ...kafkaVariables,
  /**
   * Required here, unlike in the services: consuming is the worker's only job, so a worker
   * without brokers is a configuration error, not a process that idles.
   */
  KAFKA_BROKERS: kafkaVariables.KAFKA_BROKERS.unwrap(),

  /** The order service: `host:port` or a gRPC target (`dns:///order-service:50052`). */
  ORDER_SERVICE_ADDRESS: z.string().min(1).default('127.0.0.1:50052'),
  /** How calls spread over the target's addresses: every one (`round_robin`) or the first that answers. */
  ORDER_SERVICE_LOAD_BALANCING: loadBalancingVariable(),
  /**
   * How long fulfilling an order takes (simulated work, e.g. picking and packing) before the
   * worker confirms it: the order stays PENDING meanwhile, so WatchOrder shows it and the order
   * can still be cancelled. Waited once per delivery (not again for retries of ConfirmOrder); a
   * stop ends the wait at once and the event is delivered again. A record being handled holds
   * its partition and the consumer heartbeats between records, so it is bounded to half the
   * group's session timeout (30 s), leaving room for ConfirmOrder. 0: confirm at once.
   */
  FULFILLMENT_DURATION: duration({ maxMs: consumerTimeouts.sessionMs / 2 }).default(0),
  /** Deadline of one ConfirmOrder call (retries included). */
  ORDER_SERVICE_TIMEOUT: duration({ minMs: 10 }).default(5_000),
  /** The user service, for UserService.Authenticate (the worker's access token). */
  USER_SERVICE_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
  /** Deadline of one Authenticate call. */
  USER_SERVICE_TIMEOUT: duration({ minMs: 10 }).default(2_000),
  /** This worker's client credentials at the user service (a service principal). */
  AUTH_CLIENT_ID: z.string().min(1).default('fulfillment-worker'),
  AUTH_CLIENT_SECRET: secret(z.string().min(24)),

  /** Prometheus endpoint (`GET /metrics`); 0 picks a free port. */
  WORKER_METRICS_PORT: port({ allowZero: true }).default(9_466),
  /** Interface the metrics endpoint listens on. */
  WORKER_METRICS_HOST: oneOf(['127.0.0.1', '0.0.0.0', '::', '::1']).default('0.0.0.0'),
  /** Bound of the drain on SIGTERM: in-flight events are aborted (and redelivered) after it. */
  SHUTDOWN_DRAIN_TIMEOUT: duration().default(10_000),
  LOG_LEVEL: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type FulfillmentWorkerConfig = Config<typeof fulfillmentWorkerConfig>;
