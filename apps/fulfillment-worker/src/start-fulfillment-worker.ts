import { startEvents, type EventsRuntime } from '@platform/events';
import { Closers } from '@platform/grpc';
import { createMetricsRegistry, startMetricsServer, type Logger } from '@platform/observability';
import type { Registry } from 'prom-client';
import { confirmOrderOnCreated, fulfillmentGroup } from './confirm-order-handler.js';
import type { FulfillmentWorkerConfig } from './fulfillment-worker.config.js';
import { createOrderServiceClient } from './order-service-client.js';

/** Options of {@link startFulfillmentWorker} beyond the configuration. */
export interface StartFulfillmentWorkerOptions {
  logger: Logger;
  /** A consumer crashed for good: stop and exit non-zero (`runService`'s `fatal`). Defaults to logging it. */
  fatal?: (error: unknown) => void;
}

/** A started worker. */
export interface RunningFulfillmentWorker {
  /** Where Prometheus scrapes `GET /metrics` (the port picked when WORKER_METRICS_PORT is 0). */
  readonly metricsPort: number;
  readonly registry: Registry;
  readonly events: EventsRuntime;
  /**
   * Stops consuming (in-flight events finish, offsets are committed), then closes the clients
   * and the metrics endpoint. `forced` when the consumers did not stop within
   * SHUTDOWN_DRAIN_TIMEOUT (their uncommitted events are redelivered to the group).
   */
  stop(): Promise<{ forced: boolean }>;
}

/**
 * Starts the fulfillment worker: the metrics endpoint, the order-service client (as the
 * `AUTH_CLIENT_ID` service principal, full client chain) and the `fulfillment-worker` consumer
 * group, which confirms every OrderCreated with OrderService.ConfirmOrder.
 */
export async function startFulfillmentWorker(
  config: FulfillmentWorkerConfig,
  options: StartFulfillmentWorkerOptions,
): Promise<RunningFulfillmentWorker> {
  const { logger } = options;
  const closers = new Closers();
  return closers.run(async () => {
    const registry = createMetricsRegistry({ defaultLabels: { service: 'fulfillment-worker' } });
    const metrics = await startMetricsServer({
      port: config.WORKER_METRICS_PORT,
      host: config.WORKER_METRICS_HOST,
      registry,
    });
    closers.add(() => metrics.close());

    const orders = createOrderServiceClient(config, {
      tracing: {},
      metrics: { registry },
      logging: { logger },
      retry: { registry },
    });
    closers.add(() => orders.close());

    const events = await startEvents({
      config,
      service: 'fulfillment-worker',
      logger,
      registry,
      consumers: [
        {
          group: fulfillmentGroup,
          handlers: [confirmOrderOnCreated(orders, logger, { fulfillmentMs: config.FULFILLMENT_DURATION })],
        },
      ],
      onFatal: options.fatal ?? ((error) => logger.error({ err: error }, 'event consumer failed')),
    });
    let forced = false;
    closers.add(async () => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.SHUTDOWN_DRAIN_TIMEOUT);
      });
      try {
        forced = (await Promise.race([events.stop(), bound])) === 'timeout';
      } finally {
        clearTimeout(timer);
      }
      if (forced) logger.warn('consumers did not stop within SHUTDOWN_DRAIN_TIMEOUT');
    });

    logger.info(
      {
        metricsPort: metrics.port,
        group: fulfillmentGroup,
        orderService: config.ORDER_SERVICE_ADDRESS,
        fulfillmentMs: config.FULFILLMENT_DURATION,
      },
      'fulfillment-worker ready',
    );
    return {
      metricsPort: metrics.port,
      registry,
      events,
      async stop() {
        await closers.closeAll();
        return { forced };
      },
    };
  });
}
