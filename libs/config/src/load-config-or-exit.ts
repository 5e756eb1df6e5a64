import { ConfigError } from './config-error.js';
import type { Config, ConfigSchema } from './define-config.js';
import { loadConfig } from './load-config.js';

/** `EX_CONFIG` from sysexits.h: a configuration error. */
export const configErrorExitCode = 78;

/** Where {@link loadConfigOrExit} reports; replaced in tests. */
export interface ExitHooks {
  /** Defaults to writing to `process.stderr`. */
  writeError?: (text: string) => void;
  /** Defaults to `process.exit`. */
  exit?: (code: number) => never;
}

/**
 * `loadConfig` for a process's entry point: on a {@link ConfigError} prints the list of bad
 * variables to stderr and exits with code 78 (EX_CONFIG), before anything else starts.
 */
export function loadConfigOrExit<Schema extends ConfigSchema>(
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
  hooks: ExitHooks = {},
): Config<Schema> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    (hooks.writeError ?? ((text) => process.stderr.write(text)))(`${error.message}\n`);
    return (hooks.exit ?? ((code) => process.exit(code)))(configErrorExitCode);
  }
}
