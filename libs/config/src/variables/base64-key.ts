import type * as z from 'zod';
import { invalid, variable } from './variable.js';

/**
 * A key of exactly `bytes` bytes, given in base64 (`openssl rand -base64 32`), as a Buffer.
 * Wrap it in `secret(...)` so its value is never printed.
 */
export function base64Key(bytes: number): z.ZodType<Buffer, string> {
  return variable(`${bytes} bytes in base64 (openssl rand -base64 ${bytes})`, (raw) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 !== 0)
      return invalid('a value that is not base64');
    const key = Buffer.from(raw, 'base64');
    return key.length === bytes ? key : invalid(`${key.length} bytes`);
  });
}
