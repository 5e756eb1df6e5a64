import {
  ConfigError,
  configErrorExitCode,
  loadConfigOrExit,
  type Config,
  type ConfigSchema,
} from '@platform/config';
import type { Logger, LogLevel } from '../logging/logger-options.js';
import { createLogger } from '../logging/create-logger.js';
import { setupTracing } from '../tracing/setup-tracing.js';

/** A started service: what `runService` stops on SIGTERM/SIGINT. */
export interface StoppableService {
  stop(): Promise<unknown>;
}

/** Options of {@link runService}. */
export interface RunServiceOptions<Schema extends ConfigSchema, Service extends StoppableService> {
  /** The process's name: `service.name` of its spans and `name` of its log lines. */
  name: string;
  /** Its configuration schema (`defineConfig`); a `LOG_LEVEL` variable, if any, sets the log level. */
  config: Schema;
  /** Starts the service; a {@link ConfigError} thrown here exits 78 like a bad variable. */
  start(config: Config<Schema>, logger: Logger): Promise<Service>;
}

/**
 * A service process's `main`: reads the configuration (a bad variable exits 78, naming it),
 * sets up tracing (OTLP when configured) and the JSON logger, starts the service, and on SIGTERM
 * or SIGINT stops it gracefully, flushes the spans and exits 0. A failed start exits 1.
 */
export async function runService<Schema extends ConfigSchema, Service extends StoppableService>(
  options: RunServiceOptions<Schema, Service>,
): Promise<void> {
  const config = loadConfigOrExit(options.config);
  const tracing = setupTracing({ serviceName: options.name });
  const level = (config as { LOG_LEVEL?: LogLevel | 'silent' }).LOG_LEVEL ?? 'info';
  const logger = createLogger({ name: options.name, level });
  let service: Service;
  try {
    service = await options.start(config, logger);
  } catch (error) {
    await tracing.shutdown();
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(configErrorExitCode);
    }
    logger.fatal({ err: error }, `${options.name} failed to start`);
    process.exit(1);
  }
  const stop = async (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    const result = await service.stop();
    logger.info({ ...(typeof result === 'object' ? result : {}) }, 'stopped');
    await tracing.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
}
