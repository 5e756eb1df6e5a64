#!/usr/bin/env node
// The user service's process: configuration (a bad variable exits 78 naming it), tracing, the
// service, and SIGTERM/SIGINT -> graceful shutdown.
import 'reflect-metadata';
import { runService } from '@platform/service';
import { startUserService } from './user-service.js';
import { userServiceConfig } from './user-service.config.js';

await runService({
  name: 'user-service',
  config: userServiceConfig,
  start: (config, logger, { fatal }) => startUserService(config, { logger, fatal }),
});
