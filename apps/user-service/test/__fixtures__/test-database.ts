import { preparePglite, type DatabaseTarget } from '@platform/db/testing';
import type { UserDatabaseLocation } from '../../src/index.js';

/** A fresh, empty database of `target` for one service under test. */
export interface TestDatabase {
  readonly location: UserDatabaseLocation;
  /** The PostgreSQL URL (PostgreSQL target only). */
  readonly url?: string;
  dispose(): Promise<void>;
}

export async function openTestDatabase(target: DatabaseTarget): Promise<TestDatabase> {
  if (target.name === 'pglite') {
    // The service opens its own in-memory PGlite, from the prepared empty cluster.
    return {
      location: { inMemory: true, pglite: { loadDataDir: await preparePglite() } },
      dispose: () => Promise.resolve(),
    };
  }
  const opened = await target.open();
  if (!opened.url) throw new Error(`the ${target.name} target gave no URL`);
  // The service opens its own pool; this handle only owns the database's lifetime.
  return { location: { url: opened.url }, url: opened.url, dispose: () => opened.dispose() };
}
