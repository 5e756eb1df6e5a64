// The built service as a process (`node dist/main.js`, what `nx serve` and containers run):
// ready on start, graceful exit 0 on SIGTERM, exit 78 naming bad variables without echoing secrets.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, spawnServiceProcess, startServiceProcess } from '@platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** The variables a start needs, its data in a temporary directory removed after the test. */
async function baseEnv(): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'user-service-process-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return { USER_DATA_DIR: join(dir, 'data'), AUTH_JWKS_FILE: join(dir, 'jwks.json'), USER_METRICS_PORT: '0' };
}

describe('node dist/main.js', () => {
  // A fresh PGlite data directory is initialised at first start: tens of seconds on a busy
  // machine, so the wait for the ready line is a hang guard far above that.
  it('logs ready, then on SIGTERM drains, logs stopped and exits 0', async () => {
    const env = { ...(await baseEnv()), USER_GRPC_PORT: String(await freePort()) };
    const { process: service } = await startServiceProcess('user-service', main, env, 150_000);
    onTestFinished(async () => void (await service.kill()));
    expect(await service.stop()).toEqual({ code: 0, signal: null });
    expect(service.logs.at(-1)).toMatchObject({ msg: 'stopped', forced: false });
  });

  // Log lines are written asynchronously: the fatal line, logged just before process.exit, must
  // still be out (flushed on exit).
  it('logs why and exits 1 when start fails (its gRPC port is taken)', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as { port: number }).port;
    const service = spawnServiceProcess('user-service', main, {
      ...(await baseEnv()),
      USER_GRPC_HOST: '127.0.0.1',
      USER_GRPC_PORT: String(port),
    });
    onTestFinished(async () => void (await service.kill()));
    expect((await service.exited).code).toBe(1);
    expect(service.logs.at(-1)).toMatchObject({ level: 'fatal', msg: 'user-service failed to start' });
  });

  it('exits 78 naming every bad variable, and never prints a secret', async () => {
    const service = spawnServiceProcess('user-service', main, {
      ...(await baseEnv()),
      USER_GRPC_PORT: 'http',
      DATABASE_URL: 'mysql://root:hunter2@db/users',
      AUTH_SERVICE_CLIENTS: 'order-service:too-short',
    });
    onTestFinished(async () => void (await service.kill()));
    expect((await service.exited).code).toBe(78);
    expect(service.stderr()).toMatch(/USER_GRPC_PORT/);
    expect(service.stderr()).toMatch(/DATABASE_URL/);
    expect(service.stderr()).not.toMatch(/hunter2|too-short/);
  });
});
