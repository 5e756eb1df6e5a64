#!/usr/bin/env node
// The order service's process: configuration (a bad variable exits 78 naming it), tracing,
// the service, and SIGTERM/SIGINT -> graceful shutdown.
import 'reflect-metadata';
import { ConfigError, configErrorExitCode, loadConfigOrExit } from '@platform/config';
import { createLogger, setupTracing } from '@platform/observability';
import { startOrderService } from './start-order-service.js';
import { orderServiceConfig } from './order-service.config.js';

const config = loadConfigOrExit(orderServiceConfig);
const tracing = setupTracing({ serviceName: 'order-service' });
const logger = createLogger({ name: 'order-service', level: config.LOG_LEVEL });

let service;
try {
  service = await startOrderService(config, { logger });
} catch (error) {
  await tracing.shutdown();
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(configErrorExitCode);
  }
  logger.fatal({ err: error }, 'order-service failed to start');
  process.exit(1);
}

const running = service;
const stop = async (signal: NodeJS.Signals) => {
  logger.info({ signal }, 'shutting down');
  const result = await running.stop();
  logger.info({ ...result }, 'stopped');
  await tracing.shutdown();
  process.exit(0);
};
process.once('SIGTERM', (signal) => void stop(signal));
process.once('SIGINT', (signal) => void stop(signal));
