// The launcher's kept cluster, as `npm run dev` uses it (POSTGRES_DIR): a role and database per
// service, each closed to the other roles; data that survives `stop --keep` and a new `start`;
// `stop` that deletes it. A real server from the machine's PostgreSQL binaries.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { findPostgresBinDir } from './postgres.mjs';

const run = promisify(execFile);
const launcher = join(import.meta.dirname, 'postgres.mjs');
const dir = mkdtempSync(join(tmpdir(), 'postgres-kept-'));
// As root the server runs as the `postgres` OS user, which must reach the cluster (dev opens
// .data/ the same way).
if (process.getuid?.() === 0) chmodSync(dir, 0o711);
const env = {
  ...process.env,
  POSTGRES_DIR: join(dir, 'cluster'),
  POSTGRES_STATE_FILE: join(dir, 'state.json'),
};

/** Runs the launcher; resolves with its stdout and stderr. */
async function postgres(...args) {
  const { stdout, stderr } = await run(process.execPath, [launcher, ...args], { env, timeout: 120_000 });
  return { stdout: stdout.trim(), stderr: stderr.trim() };
}

/** One statement through psql as the URL's role; rejects with psql's message. */
async function psql(url, statement) {
  const { stdout } = await run(join(findPostgresBinDir(), 'psql'), [
    url,
    '-v',
    'ON_ERROR_STOP=1',
    '-tAc',
    statement,
  ]);
  return stdout.trim();
}

afterAll(async () => {
  await postgres('stop').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('postgres.mjs with POSTGRES_DIR (a kept cluster)', () => {
  it('makes a role and a database per service, each closed to the other roles', async () => {
    await postgres('start');
    const orders = (await postgres('database', 'orders_svc')).stdout;
    const users = (await postgres('database', 'users_svc')).stdout;
    expect(orders).toMatch(/^postgres:\/\/orders_svc@127\.0\.0\.1:\d+\/orders_svc$/);

    await psql(orders, 'create table kept (note text)');
    await psql(orders, "insert into kept values ('before the restart')");
    expect(await psql(orders, 'select current_user')).toBe('orders_svc');
    await expect(psql(users.replace(/\/users_svc$/, '/orders_svc'), 'select 1')).rejects.toThrow(
      /permission denied for database "orders_svc"/,
    );
    // Asked again (every `npm run dev` does), it changes nothing.
    expect((await postgres('database', 'orders_svc')).stdout).toBe(orders);
    expect(await psql(orders, 'select note from kept')).toBe('before the restart');
  });

  it('keeps the data through stop --keep and a new start', async () => {
    const url = (await postgres('database', 'orders_svc')).stdout;
    expect((await postgres('stop', '--keep')).stderr).toContain('its data is kept');
    await expect(psql(url, 'select 1')).rejects.toThrow();

    expect((await postgres('start')).stderr).toContain('resumed on its kept data');
    const again = (await postgres('database', 'orders_svc')).stdout;
    expect(await psql(again, 'select note from kept')).toBe('before the restart');
  });

  it('deletes the cluster on stop', async () => {
    await postgres('stop');
    expect(existsSync(join(dir, 'cluster'))).toBe(false);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
  });

  it('refuses a database name that is not a plain identifier', async () => {
    await expect(postgres('database', 'orders; drop')).rejects.toThrow(/a database name is/);
  });
});
