import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type * as z from 'zod';
import { invalid, variable } from './variable.js';

/** Options of {@link filePath}. */
export interface FilePathOptions {
  /** Require a readable regular file at start. Defaults to true. */
  mustExist?: boolean;
}

/** A file path, resolved against the working directory: `filePath()` for a key file. */
export function filePath(options: FilePathOptions = {}): z.ZodType<string, string> {
  const { mustExist = true } = options;
  return variable(mustExist ? 'the path of a readable file' : 'a file path', (raw) => {
    if (raw.length === 0 || raw.includes('\0')) return invalid('a value that is not a path');
    const path = resolve(raw);
    if (!mustExist) return path;
    try {
      if (!statSync(path).isFile()) return invalid('a path that is not a regular file', 'not a regular file');
      accessSync(path, constants.R_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT'
        ? invalid('a path where no file exists', 'no such file')
        : invalid('a path that cannot be read', code ?? 'unreadable');
    }
    return path;
  });
}
