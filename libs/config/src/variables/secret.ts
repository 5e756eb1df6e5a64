import * as z from 'zod';
import { describeVariable, variableKinds } from './variable.js';

/**
 * Marks a variable as secret (a password, a key, a URL with credentials): its value is never
 * printed, neither in error messages nor when the loaded config is logged. Without a kind it
 * is any non-empty string: `secret()`, `secret(url({ protocols: ['postgres:'] }))`.
 */
export function secret<T = string>(kind?: z.ZodType<T, string>): z.ZodType<T, string> {
  const base = (kind ?? z.string().min(1)) as z.ZodType<T, string>;
  const marked = base.clone();
  variableKinds.add(marked, {
    expected: describeVariable(base)?.expected ?? 'a non-empty secret',
    secret: true,
  });
  return marked;
}
