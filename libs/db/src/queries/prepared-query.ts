import type { DatabaseSchema, Transaction } from '../database.js';

/** A drizzle query with named placeholders (`sql.placeholder('id')`), as its builders return it. */
export interface PreparableQuery<Result> {
  prepare(name: string): PreparedStatement<Result>;
}

interface PreparedStatement<Result> {
  execute(values?: Record<string, unknown>): Promise<Result>;
}

/** A query built once, run in any transaction with the values of its placeholders. */
export type PreparedQuery<Schema extends DatabaseSchema, Values extends Record<string, unknown>, Result> = (
  tx: Transaction<Schema>,
  values: Values,
) => Promise<Result>;

/** Names taken in this process: the same name for two different statements would clash on a connection. */
const takenNames = new Set<string>();

/** The connection a drizzle session sends its statements to (both drivers' sessions keep it as `client`). */
function connectionOf(tx: Transaction<DatabaseSchema>): unknown {
  const session = tx._.session as unknown as { client?: unknown };
  if (session.client === undefined) {
    throw new TypeError(
      'preparedQuery: this drizzle session keeps no `client`; the drizzle version is not supported',
    );
  }
  return session.client;
}

/**
 * A query whose SQL is built once instead of on every run, and sent as a named prepared
 * statement, which PostgreSQL parses once per connection. drizzle builds a query's SQL anew each
 * time it runs: about a tenth of a GetOrder's CPU on PostgreSQL.
 *
 * `build` makes the query on the first run's transaction, with `sql.placeholder(...)` where
 * values go; each run fills them from `values` (a missing one is an error naming it) and runs
 * on the transaction's connection, through its statement guard like any other statement.
 * Rows come back mapped as drizzle maps them. Only queries whose shape is fixed can be
 * prepared: a filter that varies per call builds its query per call.
 *
 * `name` is the statement's name on every connection: unique in the process (a second use
 * throws here). A connection pooler in front of PostgreSQL must support prepared statements
 * (PgBouncer does from 1.21 with `max_prepared_statements`).
 */
export function preparedQuery<Schema extends DatabaseSchema, Values extends Record<string, unknown>, Result>(
  name: string,
  build: (tx: Transaction<Schema>) => PreparableQuery<Result>,
): PreparedQuery<Schema, Values, Result> {
  if (takenNames.has(name))
    throw new Error(`preparedQuery: the name ${name} is already taken by another query`);
  takenNames.add(name);
  // One per driver: a test process may run the same query on PGlite and on PostgreSQL.
  const templates = new Map<unknown, PreparedStatement<Result>>();
  return (tx, values) => {
    const driverSession = tx._.session.constructor;
    let template = templates.get(driverSession);
    if (!template) {
      template = build(tx).prepare(name);
      templates.set(driverSession, template);
    }
    // The template with this transaction's connection: everything else (SQL, fields, mapping) is shared.
    const statement = Object.create(template, { client: { value: connectionOf(tx as never) } });
    return (statement as PreparedStatement<Result>).execute(values);
  };
}
