import { causeChain } from '../connection/cause-chain.js';

/**
 * The SQLSTATE of a database error (`40001`), looking through wrappers such as drizzle's
 * `DrizzleQueryError` (`cause`); `undefined` for errors that did not come from the server.
 * Node's socket errors are skipped: `EPIPE` has the shape of a SQLSTATE but a `syscall`.
 */
export function sqlStateOf(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !('syscall' in link)) return code;
  }
  return undefined;
}

/** serialization_failure, deadlock_detected: the transaction did nothing and may be run again. */
export const retryableSqlStates: ReadonlySet<string> = new Set(['40001', '40P01']);

/** query_canceled: a statement timeout, or a cancel request (`pg_cancel_backend`). */
export const queryCanceledSqlState = '57014';
