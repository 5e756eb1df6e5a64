#!/usr/bin/env node
// `user-service migrate`: applies the user service's migrations to the configured database and
// exits (a deploy step or a Kubernetes Job); the service also applies them at start.
import { loadConfigOrExit } from '@platform/config';
import { migrateService } from '@platform/service';
import { userService } from './user-service.js';
import { userServiceConfig } from './user-service.config.js';

await migrateService(userService, loadConfigOrExit(userServiceConfig));
