import type { Assume, ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';

/** Which driver a database runs on: PostgreSQL through `pg`, or embedded PGlite. */
export type DriverKind = 'pg' | 'pglite';

/** What both drivers return from `db.execute(sql)`: the rows (and more, driver-specific). */
export interface QueryRows<Row> {
  rows: Row[];
}

/**
 * drizzle's result kind common to `pg` and PGlite, so one `Database` type serves both: code
 * written against it uses only what both drivers return.
 */
export interface QueryResultHKT extends PgQueryResultHKT {
  type: QueryRows<Assume<this['row'], Record<string, unknown>>>;
}

/** Tables (and relations) of a service, as given to drizzle: `import * as schema from './schema.js'`. */
export type DatabaseSchema = Record<string, unknown>;

/** Options of {@link DatabaseHandle.health}. */
export interface HealthOptions {
  /** The check fails when `select 1` has not answered within this many ms. Defaults to 1000 ms. */
  timeoutMs?: number;
  /** Aborts the check (a health service's per-check signal). */
  signal?: AbortSignal;
}

/** What the platform adds to drizzle's database. */
export interface DatabaseHandle {
  /** The driver underneath; the SQL dialect is PostgreSQL's either way. */
  readonly driver: DriverKind;
  /** Resolves when a `select 1` answered in time; rejects with the reason otherwise. */
  health(options?: HealthOptions): Promise<void>;
  /** Closes the pool (pg) or the embedded database (PGlite), and ends every `listen` subscription. Idempotent. */
  close(): Promise<void>;
}

/**
 * The database a service uses: drizzle's PostgreSQL query builder (`db.select()…`,
 * `db.insert()…`, `db.execute(sql\`…\`)`) over either driver, plus {@link DatabaseHandle}.
 * Work that must be atomic, cancelled with the gRPC call or bounded by its deadline goes through
 * `withTransaction(db, …)`.
 */
export type Database<Schema extends DatabaseSchema = Record<string, never>> = PgDatabase<
  QueryResultHKT,
  Schema
> &
  DatabaseHandle;

/** The transaction handed to `withTransaction`'s callback: the same query builder, on one connection. */
export type Transaction<Schema extends DatabaseSchema = Record<string, never>> = PgTransaction<
  QueryResultHKT,
  Schema,
  ExtractTablesWithRelations<Schema>
>;
