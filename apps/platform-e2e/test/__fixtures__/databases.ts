// A fresh PostgreSQL database per service of a stack, created from TEST_DATABASE_URL (which
// `npm test` sets) and dropped at the end: the fault suites read outboxes, inboxes and
// projections directly, and run two instances of a service on one database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

function adminUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set: run the tests with `npm test`, or start PostgreSQL with `node tools/scripts/postgres.mjs start` and export TEST_DATABASE_URL=<the URL it prints>',
    );
  }
  return url;
}

async function asAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly url: string;
  /** Runs a query on it (a pool of one connection, opened on first use). */
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

export async function createDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await asAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let pool: pg.Pool | undefined;
  let dropping = false;
  return {
    url: url.toString(),
    async query<Row extends Record<string, unknown>>(text: string, params: unknown[] = []) {
      if (!pool) {
        pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
        // pool.end() resolves before its connection has closed, so the drop below can terminate
        // that session (57P01): expected then. An idle connection failing otherwise is not.
        pool.on('error', (error) => {
          if (!dropping) throw error;
        });
      }
      return (await pool.query<Row>(text, params)).rows;
    },
    async drop() {
      dropping = true;
      await pool?.end();
      await asAdmin((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
