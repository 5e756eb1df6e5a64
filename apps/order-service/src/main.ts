#!/usr/bin/env node
// The order service's process: configuration (a bad variable exits 78 naming it), tracing, the
// service, and SIGTERM/SIGINT -> graceful shutdown.
import 'reflect-metadata';
import { runService } from '@platform/service';
import { startOrderService } from './order-service.js';
import { orderServiceConfig } from './order-service.config.js';

await runService({
  name: 'order-service',
  config: orderServiceConfig,
  start: (config, logger, { fatal }) => startOrderService(config, { logger, fatal }),
});
