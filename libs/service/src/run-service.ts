import {
  ConfigError,
  configErrorExitCode,
  loadConfigOrExit,
  type Config,
  type ConfigSchema,
} from '@platform/config';
import { createLogger, setupTracing, type Logger, type LogLevel } from '@platform/observability';

/** A started service: what `runService` stops on SIGTERM/SIGINT. */
export interface StoppableService {
  stop(): Promise<unknown>;
}

/** What a starting service may ask of its process. */
export interface ServiceProcess {
  /**
   * A part failed for good (an event consumer that crashed on a non-transient error): log it, stop the service
   * gracefully and exit 1, so the supervisor restarts the process.
   */
  fatal(error: unknown): void;
}

/** Options of {@link runService}. */
export interface RunServiceOptions<Schema extends ConfigSchema, Service extends StoppableService> {
  /** The process's name: `service.name` of its spans and `name` of its log lines. */
  name: string;
  /** Its configuration schema (`defineConfig`); a `LOG_LEVEL` variable, if any, sets the log level. */
  config: Schema;
  /** Starts the service; a {@link ConfigError} thrown here exits 78 like a bad variable. */
  start(config: Config<Schema>, logger: Logger, process: ServiceProcess): Promise<Service>;
}

/**
 * A service process's `main`: reads the configuration (a bad variable exits 78, naming it),
 * sets up tracing (OTLP when configured) and the JSON logger, starts the service, and on SIGTERM
 * or SIGINT stops it gracefully, flushes the spans and exits 0. A signal during start stops it once
 * started; a second one takes its default action. A failed start exits 1.
 */
export async function runService<Schema extends ConfigSchema, Service extends StoppableService>(
  options: RunServiceOptions<Schema, Service>,
): Promise<void> {
  const config = loadConfigOrExit(options.config);
  const tracing = setupTracing({ serviceName: options.name });
  const level = (config as { LOG_LEVEL?: LogLevel | 'silent' }).LOG_LEVEL ?? 'info';
  const logger = createLogger({ name: options.name, level });
  let stopping: Promise<void> | undefined;
  const stop = (reason: string, exitCode: number) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      // A signal during start waits for it; a failed start exits on its own path, with its own code.
      const service = await startup.catch(() => undefined);
      if (!service) return;
      const result = await service.stop();
      logger.info({ ...(typeof result === 'object' ? result : {}) }, 'stopped');
      await tracing.shutdown();
      process.exit(exitCode);
    })();
  };
  const fatal = (error: unknown) => {
    logger.fatal({ err: error }, `${options.name} failed`);
    stop('fatal error', 1);
  };
  // Installed before start: start logs the ready line just before it returns, and a supervisor may
  // signal as soon as it reads it. Once: a second signal takes its default action (Ctrl-C twice).
  process.once('SIGTERM', (signal) => stop(signal, 0));
  process.once('SIGINT', (signal) => stop(signal, 0));
  // In a microtask: `fatal` may be called from within start, and stop reads `startup`.
  const startup = Promise.resolve().then(() => options.start(config, logger, { fatal }));
  try {
    await startup;
  } catch (error) {
    await tracing.shutdown();
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(configErrorExitCode);
    }
    logger.fatal({ err: error }, `${options.name} failed to start`);
    process.exit(1);
  }
}
