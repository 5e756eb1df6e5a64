// A throwaway PostgreSQL of the benchmark's own (tools/scripts/postgres.mjs with a private state
// file). Stopped (and its directory deleted) by `stop()`.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const launcher = resolve(import.meta.dirname, '..', '..', '..', 'scripts', 'postgres.mjs');

export interface PostgresServer {
  /** `postgres://…/platform`, as the superuser. */
  readonly url: string;
  /** The postmaster's pid. */
  readonly pid: number;
  /**
   * A role and a database of that name owned by it, closed to other roles (made when missing),
   * as the dev stack gives each service: its URL.
   */
  database(name: string): Promise<string>;
  /**
   * A copy of database `template` (no one connected to it) named `name`, owned by `owner`,
   * closed to other roles: its URL, as `owner`.
   */
  copyDatabase(template: string, name: string, owner: string): Promise<string>;
  /** Drops a database, closing its connections. */
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const databaseName = /^[a-z_][a-z0-9_]{0,62}$/;

export async function startPostgresServer(): Promise<PostgresServer> {
  const stateFile = join(tmpdir(), `bench-postgres-${randomUUID()}.json`);
  const env = { ...process.env, POSTGRES_STATE_FILE: stateFile };
  const launch = async (...args: string[]) =>
    (await run(process.execPath, [launcher, ...args], { env, timeout: 120_000 })).stdout.trim();
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= launch('stop').then(() => undefined));
  try {
    const url = (await launch('start')).split('\n').pop() ?? '';
    if (!url.startsWith('postgres')) throw new Error(`postgres.mjs start printed "${url}"`);
    const { pid } = JSON.parse(await readFile(stateFile, 'utf8')) as { pid: number };
    // Statements as the superuser, on the server's own database (names checked: no quoting games).
    const admin = async (...statements: string[]) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const statement of statements) await client.query(statement);
      } finally {
        await client.end();
      }
    };
    const checked = (...names: string[]) => {
      for (const name of names) if (!databaseName.test(name)) throw new Error(`bad database name ${name}`);
    };
    const urlOf = (user: string, database: string) => {
      const target = new URL(url);
      target.username = user;
      target.pathname = `/${database}`;
      return target.toString();
    };
    return {
      url,
      pid,
      stop,
      database: async (name) => (await launch('database', name)).split('\n').pop() ?? '',
      async copyDatabase(template, name, owner) {
        checked(template, name, owner);
        await admin(
          `create database "${name}" template "${template}" owner "${owner}"`,
          `revoke all on database "${name}" from public`,
        );
        return urlOf(owner, name);
      },
      async dropDatabase(name) {
        checked(name);
        await admin(`drop database if exists "${name}" with (force)`);
      },
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
