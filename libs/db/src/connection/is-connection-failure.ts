import { sqlStateOf } from '../transaction/sql-state.js';
import { causeChain } from './cause-chain.js';

/** Socket errors of Node (`error.code`): the server cannot be reached or the connection broke. */
const socketErrorCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is going away or refusing sessions: admin_shutdown (57P01, also
 * `pg_terminate_backend`), crash_shutdown (57P02), cannot_connect_now (57P03, starting up or in
 * recovery), too_many_connections (53300). Class 08 (connection_exception) is matched whole.
 */
const unavailableSqlStates: ReadonlySet<string> = new Set(['57P01', '57P02', '57P03', '53300']);
const connectionExceptionClass = '08';

/**
 * What `pg` and `pg-pool` throw, without a code, when a connection ends or cannot be had in time
 * (pg 8 / pg-pool 3 wording: "Connection terminated", "… unexpectedly", "… due to connection
 * timeout", "timeout exceeded when trying to connect" …).
 */
const driverMessages: readonly RegExp[] = [
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
];

/**
 * Whether `error` means the database cannot be reached or dropped the connection, rather than
 * refusing a statement: a socket error, a connection-level SQLSTATE or a pg connection error,
 * anywhere in the chain of causes (drizzle wraps driver errors). Such a failure is transient: the
 * same work may succeed once the database is back.
 */
export function isConnectionFailure(error: unknown): boolean {
  const sqlState = sqlStateOf(error);
  if (sqlState !== undefined) {
    return sqlState.startsWith(connectionExceptionClass) || unavailableSqlStates.has(sqlState);
  }
  for (const link of causeChain(error)) {
    const code = (link as { code?: unknown }).code;
    if (typeof code === 'string' && socketErrorCodes.has(code)) return true;
    const message = (link as { message?: unknown }).message;
    if (typeof message === 'string' && driverMessages.some((pattern) => pattern.test(message))) return true;
  }
  return false;
}
