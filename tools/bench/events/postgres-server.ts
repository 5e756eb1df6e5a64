// A throwaway PostgreSQL of the benchmark's own (tools/scripts/postgres.mjs with a private state
// file), for the relay on PostgreSQL. Stopped (and its directory deleted) by `stop()`.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const launcher = resolve(import.meta.dirname, '..', '..', '..', 'scripts', 'postgres.mjs');

export interface PostgresServer {
  /** `postgres://…/platform`. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const env = {
    ...process.env,
    POSTGRES_STATE_FILE: join(tmpdir(), `events-bench-postgres-${randomUUID()}.json`),
  };
  const launch = async (...args: string[]) =>
    (await run(process.execPath, [launcher, ...args], { env, timeout: 120_000 })).stdout.trim();
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= launch('stop').then(() => undefined));
  try {
    const url = (await launch('start')).split('\n').pop() ?? '';
    if (!url.startsWith('postgres')) throw new Error(`postgres.mjs start printed "${url}"`);
    return { url, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
