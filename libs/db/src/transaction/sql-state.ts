/**
 * The SQLSTATE of a database error (`40001`), looking through wrappers such as drizzle's
 * `DrizzleQueryError` (`cause`); `undefined` for errors that did not come from the server.
 */
export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** serialization_failure, deadlock_detected: the transaction did nothing and may be run again. */
export const retryableSqlStates: ReadonlySet<string> = new Set(['40001', '40P01']);

/** query_canceled: a statement timeout, or a cancel request (`pg_cancel_backend`). */
export const queryCanceledSqlState = '57014';
