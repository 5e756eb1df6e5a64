#!/usr/bin/env node
// `order-service migrate`: applies the order service's migrations to the configured database and
// exits (a deploy step or a Kubernetes Job); the service also applies them at start.
import { loadConfigOrExit } from '@platform/config';
import { migrateService } from '@platform/service';
import { orderService } from './order-service.js';
import { orderServiceConfig } from './order-service.config.js';

await migrateService(orderService, loadConfigOrExit(orderServiceConfig));
