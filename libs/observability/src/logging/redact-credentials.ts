/** Keys never written as they are, at the top level of a line and one level down. */
export const credentialKeys: readonly string[] = ['authorization', 'password', 'token'];

export const redactedValue = '[REDACTED]';

function holdsCredential(value: object): boolean {
  for (const key of credentialKeys) if (Object.hasOwn(value, key)) return true;
  return false;
}

/** A copy of `value` with its credentials replaced; an Error stays an Error (its stack and type kept). */
function redactedCopy(value: object): object {
  const copy: Record<string, unknown> =
    value instanceof Error
      ? Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value))
      : { ...value };
  for (const key of credentialKeys) if (Object.hasOwn(copy, key)) copy[key] = redactedValue;
  return copy;
}

/**
 * The fields of a log line with every credential (a {@link credentialKeys} key at the top level
 * or in an object one level down) replaced by `[REDACTED]`; the line's own object is returned
 * when it holds none, and never changed. pino's `formatters.log` and `formatters.bindings`: its
 * own wildcard redaction (`*.token`) runs on every field of every line, which cost about as much
 * as the rest of writing a call's line.
 */
export function redactCredentials<T extends Record<string, unknown>>(fields: T): T {
  let redacted: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    let replacement: unknown;
    if (credentialKeys.includes(key)) replacement = redactedValue;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && holdsCredential(value))
      replacement = redactedCopy(value);
    else continue;
    redacted ??= { ...fields };
    redacted[key] = replacement;
  }
  return (redacted ?? fields) as T;
}
