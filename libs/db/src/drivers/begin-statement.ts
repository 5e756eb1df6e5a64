import type { PgTransactionConfig } from 'drizzle-orm/pg-core';

/**
 * BEGIN with the transaction's mode and, in the same round trip (one simple-protocol query), its
 * statement timeout: a statement fewer per transaction than drizzle's BEGIN then SET LOCAL.
 */
export function beginStatement(config: PgTransactionConfig, statementTimeoutMs: number | undefined): string {
  const mode = [config.isolationLevel && `isolation level ${config.isolationLevel}`, config.accessMode]
    .filter(Boolean)
    .join(' ');
  const begin = mode ? `begin ${mode}` : 'begin';
  return statementTimeoutMs === undefined
    ? begin
    : `${begin}; set local statement_timeout = ${Math.max(1, Math.ceil(statementTimeoutMs))}`;
}
