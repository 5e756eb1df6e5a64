import type * as z from 'zod';
import { invalid, variable } from './variable.js';

const values: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

/** A flag: `true`/`1` or `false`/`0` (case-insensitive). Anything else is rejected, not false. */
export function bool(): z.ZodType<boolean, string> {
  return variable(
    'true, false, 1 or 0',
    (raw) => values[raw.toLowerCase()] ?? invalid('a value that is not a boolean'),
  );
}
