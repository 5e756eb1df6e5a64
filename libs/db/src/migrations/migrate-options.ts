/** Options of `migrate`. */
export interface MigrateOptions {
  /** The service's migrations: `NNNN_name.sql` files, applied in version order. */
  dir: string | URL;
  /**
   * Table recording applied migrations (optionally schema-qualified). Its name also keys the
   * advisory lock, so services sharing a database use different tables. Defaults to
   * `schema_migrations`.
   */
  table?: string;
  /**
   * How long to wait for another instance that holds the migration lock, in ms (PostgreSQL).
   * Defaults to 60 000 ms.
   */
  lockTimeoutMs?: number;
}

/** What `migrate` did. */
export interface MigrateResult {
  /** Files applied by this run, in order. */
  readonly applied: readonly string[];
  /** Newest version recorded, after this run; `undefined` when there is none. */
  readonly version: number | undefined;
  /**
   * Versions recorded in the table with no file in `dir` (an older build starting after a newer
   * one migrated). Not an error: reported so the service can log it.
   */
  readonly unknownVersions: readonly number[];
}

export const migrateDefaults = {
  table: 'schema_migrations',
  lockTimeoutMs: 60_000,
} as const;
