import type { DestinationStream, Level, Logger as PinoLogger } from 'pino';

/** The platform's logger: pino, writing one JSON object per line. */
export type Logger = PinoLogger;

/** A log level name, lowest to highest: `trace`, `debug`, `info`, `warn`, `error`, `fatal`. */
export type LogLevel = Level;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Name of the process or component, in every line as `name`. Required. */
  name: string;
  /** Lowest level written; `silent` writes nothing. Defaults to `info`. */
  level?: LogLevel | 'silent';
  /** Where lines go. Defaults to standard output, written synchronously (see `createLogger`). */
  destination?: DestinationStream;
}
