// The built service as a process (`node dist/main.js`, what `nx serve` and containers run):
// ready on start, graceful exit 0 on SIGTERM, exit 78 naming bad variables without echoing secrets.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

async function run(env: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'user-service-process-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env['PATH'],
      USER_DATA_DIR: join(dir, 'data'),
      AUTH_JWKS_FILE: join(dir, 'jwks.json'),
      USER_METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exited, output: () => ({ stdout, stderr }) };
}

describe('node dist/main.js', () => {
  // A fresh PGlite data directory is initialised at first start: tens of seconds on a busy
  // machine, so the wait for the ready line is a hang guard far above that.
  it('logs ready, then on SIGTERM drains, logs stopped and exits 0', async () => {
    const { child, exited, output } = await run({ USER_GRPC_PORT: String(await freePort()) });
    await expect.poll(() => output().stdout, { timeout: 150_000 }).toContain('"msg":"user-service ready"');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    const lines = output()
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; forced?: boolean });
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', forced: false });
  });

  it('exits 78 naming every bad variable, and never prints a secret', async () => {
    const { exited, output } = await run({
      USER_GRPC_PORT: 'http',
      DATABASE_URL: 'mysql://root:hunter2@db/users',
      AUTH_SERVICE_CLIENTS: 'order-service:too-short',
    });
    const [code] = await exited;
    expect(code).toBe(78);
    const { stderr } = output();
    expect(stderr).toMatch(/USER_GRPC_PORT/);
    expect(stderr).toMatch(/DATABASE_URL/);
    expect(stderr).not.toMatch(/hunter2|too-short/);
  });
});
