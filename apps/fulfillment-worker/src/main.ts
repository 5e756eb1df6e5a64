#!/usr/bin/env node
// The fulfillment worker's process: configuration (a bad or missing variable, KAFKA_BROKERS
// included, exits 78 naming it), tracing, the consumer, and SIGTERM/SIGINT -> graceful shutdown.
import { runService } from '@platform/service';
import { fulfillmentWorkerConfig } from './fulfillment-worker.config.js';
import { startFulfillmentWorker } from './fulfillment-worker.js';

await runService({
  name: 'fulfillment-worker',
  config: fulfillmentWorkerConfig,
  start: (config, logger, { fatal }) => startFulfillmentWorker(config, { logger, fatal }),
});
