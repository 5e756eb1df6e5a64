// The databases every shared test case runs against: PGlite in memory always, and PostgreSQL
// when TEST_DATABASE_URL is set (tools/scripts/postgres.mjs starts one), each test in a fresh
// database created from it. In CI a missing TEST_DATABASE_URL fails the PostgreSQL cases
// instead of skipping them, so the suite cannot pass without having run against PostgreSQL.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Database, DatabaseSchema } from '../database.js';
import type { DatabaseOptions } from '../database-options.js';
import { openDatabase } from '../open-database.js';

/** What a test may set on the database it opens: everything but where it is. */
export type TargetOptions<Schema extends DatabaseSchema = Record<string, never>> = Omit<
  DatabaseOptions<Schema>,
  'url' | 'dataDir' | 'inMemory'
>;

/** A kind of database the shared cases run against. */
export interface DatabaseTarget {
  readonly name: 'pglite' | 'postgres';
  /** True when the target cannot run here and is not required to (PostgreSQL outside CI). */
  readonly skip: boolean;
  /** A fresh, empty database; `options` go to `openDatabase`. */
  open<Schema extends DatabaseSchema = Record<string, never>>(
    options?: TargetOptions<Schema>,
  ): Promise<OpenedDatabase<Schema>>;
}

/** One test's database, dropped (PostgreSQL) or discarded (PGlite) by `dispose`. */
export interface OpenedDatabase<Schema extends DatabaseSchema = Record<string, never>> {
  readonly db: Database<Schema>;
  /**
   * The PostgreSQL URL of this test's database, to start a service against it (PostgreSQL
   * target only; PGlite in memory has none, hand that service `db` instead).
   */
  readonly url?: string;
  /** Opens another handle on the same database (a second instance), closed by `dispose`. */
  openAnother<Other extends DatabaseSchema = Schema>(
    options?: TargetOptions<Other>,
  ): Promise<Database<Other>>;
  dispose(): Promise<void>;
}

const adminUrl = process.env['TEST_DATABASE_URL'];
const inCi = Boolean(process.env['CI']);

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// A fresh PGlite runs initdb, which takes seconds; starting from a dump of an empty one does not.
let emptyPglite: Promise<Blob> | undefined;

/** Prepares the empty PGlite dump the PGlite target starts from; call it in `beforeAll`. */
export function preparePglite(): Promise<Blob> {
  emptyPglite ??= (async () => {
    const template = await PGlite.create();
    try {
      return await template.dumpDataDir('none');
    } finally {
      await template.close();
    }
  })();
  return emptyPglite;
}

/** PGlite in memory, started from an empty dump: always runs. */
export const pgliteTarget: DatabaseTarget = {
  name: 'pglite',
  skip: false,
  async open<Schema extends DatabaseSchema>(options: TargetOptions<Schema> = {}) {
    const db = await openDatabase<Schema>({
      ...options,
      inMemory: true,
      pglite: { ...options.pglite, loadDataDir: await preparePglite() },
    });
    return {
      db,
      // PGlite is one embedded instance: a second "instance" is the same database object.
      openAnother: async <Other extends DatabaseSchema>() => db as unknown as Database<Other>,
      dispose: () => db.close(),
    };
  },
};

/** A fresh database on the server of TEST_DATABASE_URL: skipped without it, except in CI. */
export const postgresTarget: DatabaseTarget = {
  name: 'postgres',
  skip: !adminUrl && !inCi,
  async open<Schema extends DatabaseSchema>(options: TargetOptions<Schema> = {}) {
    if (!adminUrl) {
      throw new Error(
        'TEST_DATABASE_URL is not set: CI must run the PostgreSQL cases (start one with tools/scripts/postgres.mjs)',
      );
    }
    const name = `test_${randomBytes(6).toString('hex')}`;
    await admin((client) => client.query(`create database ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const opened: Database<DatabaseSchema>[] = [];
    const openOne = async <Other extends DatabaseSchema>(extra: TargetOptions<Other> = {}) => {
      const db = await openDatabase<Other>({ ...extra, url: url.toString() });
      opened.push(db as unknown as Database<DatabaseSchema>);
      return db;
    };
    const db = await openOne(options);
    return {
      db,
      url: url.toString(),
      openAnother: openOne,
      async dispose() {
        await Promise.all(opened.map((handle) => handle.close()));
        await admin((client) => client.query(`drop database if exists ${name} with (force)`));
      },
    };
  },
};

/** PGlite, then PostgreSQL: `for (const target of databaseTargets) describe.skipIf(target.skip)(…)`. */
export const databaseTargets: readonly DatabaseTarget[] = [pgliteTarget, postgresTarget];
