import { sql } from 'drizzle-orm';
import type { Database } from '../database.js';

/** Statements of other sessions still running on the server whose text contains `marker`. */
export async function activeQueries(db: Database, marker: string): Promise<number> {
  const result = await db.execute<{ count: number }>(
    sql`select count(*)::int as count from pg_stat_activity
        where state = 'active' and pid <> pg_backend_pid() and query like ${`%${marker}%`}`,
  );
  return result.rows[0]?.count ?? 0;
}

/** A `statement_timeout` as PostgreSQL shows it below a minute (`4990ms`, `5s`), in ms. */
export function shownTimeoutMs(value = ''): number {
  return Number(/^(\d+)ms$/.exec(value)?.[1] ?? Number(/^(\d+)s$/.exec(value)?.[1]) * 1000);
}
