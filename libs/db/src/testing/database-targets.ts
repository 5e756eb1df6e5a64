// The databases every shared test case runs against: PGlite in memory always, and PostgreSQL
// when TEST_DATABASE_URL is set (tools/scripts/postgres.mjs starts one), each test in a fresh
// database created from it. In CI a missing TEST_DATABASE_URL fails the PostgreSQL cases
// instead of skipping them, so the suite cannot pass without having run against PostgreSQL.
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { DatabaseOptions } from '../database-options.js';
import type { Database } from '../database.js';
import { openDatabase } from '../open-database.js';

export interface DatabaseTarget {
  readonly name: 'pglite' | 'postgres';
  /** True when the target cannot run here and is not required to (PostgreSQL outside CI). */
  readonly skip: boolean;
  /** A fresh, empty database; `options` go to `openDatabase` (minus the location). */
  open(options?: Omit<DatabaseOptions, 'url' | 'dataDir' | 'inMemory'>): Promise<OpenedDatabase>;
}

export interface OpenedDatabase {
  readonly db: Database;
  /** The PostgreSQL URL of this test's database (PostgreSQL target only). */
  readonly url?: string;
  /** Opens another handle on the same database (a second instance), closed by `dispose`. */
  openAnother(options?: Omit<DatabaseOptions, 'url' | 'dataDir' | 'inMemory'>): Promise<Database>;
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

export const pgliteTarget: DatabaseTarget = {
  name: 'pglite',
  skip: false,
  async open(options = {}) {
    const db = await openDatabase({
      ...options,
      inMemory: true,
      pglite: { loadDataDir: await preparePglite() },
    });
    return {
      db,
      // PGlite is one embedded instance: a second "instance" is the same database object.
      openAnother: async () => db,
      dispose: () => db.close(),
    };
  },
};

export const postgresTarget: DatabaseTarget = {
  name: 'postgres',
  skip: !adminUrl && !inCi,
  async open(options = {}) {
    if (!adminUrl) {
      throw new Error(
        'TEST_DATABASE_URL is not set: CI must run the PostgreSQL cases (start one with tools/scripts/postgres.mjs)',
      );
    }
    const name = `test_${randomBytes(6).toString('hex')}`;
    await admin((client) => client.query(`create database ${name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const opened: Database[] = [];
    const openOne = async (extra: typeof options) => {
      const db = await openDatabase({ ...extra, url: url.toString() });
      opened.push(db);
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

export const databaseTargets: readonly DatabaseTarget[] = [pgliteTarget, postgresTarget];
