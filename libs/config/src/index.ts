// Public API of @platform/config: one typed, validated configuration per process.
export { ConfigError, type ConfigProblem } from './config-error.js';
export { defineConfig, type Config, type ConfigSchema, type ConfigShape } from './define-config.js';
export { loadConfig } from './load-config.js';
export { configErrorExitCode, loadConfigOrExit, type ExitHooks } from './load-config-or-exit.js';
export {
  readOrCreateFile,
  type ReadOrCreateFileOptions,
  type ReadOrCreateFileResult,
} from './read-or-create-file.js';
export { bool } from './variables/bool.js';
export { duration, type DurationOptions } from './variables/duration.js';
export { filePath, type FilePathOptions } from './variables/file-path.js';
export { integer, positiveInt, type IntegerOptions } from './variables/integer.js';
export { list, type ListOptions } from './variables/list.js';
export { oneOf } from './variables/one-of.js';
export { port, type PortOptions } from './variables/port.js';
export { secret } from './variables/secret.js';
export { url, type UrlOptions } from './variables/url.js';
export { base64Key } from './variables/base64-key.js';
