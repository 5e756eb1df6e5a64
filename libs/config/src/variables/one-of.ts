import type * as z from 'zod';
import { invalid, variable } from './variable.js';

/** One of a fixed set of values, compared exactly: `oneOf(['debug', 'info', 'warn', 'error'])`. */
export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
): z.ZodType<T[number], string> {
  const allowed = new Set<string>(values);
  return variable(`one of ${values.join(', ')}`, (raw) =>
    allowed.has(raw) ? (raw as T[number]) : invalid('a value that is not one of them'),
  );
}
