// The built worker as a process (`node dist/main.js`, what `nx serve` and containers run): ready
// line with its metrics port, graceful exit 0 on SIGTERM, exit 78 naming a missing or bad
// variable without printing a secret.
import { randomBytes } from 'node:crypto';
import { spawnServiceProcess, startServiceProcess, testKafkaBrokers } from '@platform/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { builtMain } from './__fixtures__/built-main.js';
import { eventEnv } from './__fixtures__/platform.js';

const main = builtMain('fulfillment-worker');
const secret = randomBytes(24).toString('base64url');

function baseEnv(): Record<string, string> {
  return {
    ...eventEnv(testKafkaBrokers(), `fw${randomBytes(5).toString('hex')}.`),
    // Nothing listens there: the worker only calls them when an event arrives.
    ORDER_SERVICE_ADDRESS: '127.0.0.1:9',
    USER_SERVICE_ADDRESS: '127.0.0.1:9',
    AUTH_CLIENT_SECRET: secret,
    WORKER_METRICS_PORT: '0',
    WORKER_METRICS_HOST: '127.0.0.1',
  };
}

function without(env: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

async function exitOf(env: Record<string, string>) {
  const worker = spawnServiceProcess('fulfillment-worker', main, env);
  onTestFinished(async () => {
    worker.child.kill('SIGKILL');
    await worker.exited;
  });
  const { code } = await worker.exited;
  return {
    code,
    stderr: worker.stderr(),
    stdout: worker.logs.map((entry) => JSON.stringify(entry)).join('\n'),
  };
}

describe('node dist/main.js', () => {
  it(
    'logs ready with its metrics port, serves /metrics, and on SIGTERM stops, logs stopped and exits 0',
    {
      timeout: 60_000,
    },
    async () => {
      const { process: worker, ready } = await startServiceProcess(
        'fulfillment-worker',
        main,
        baseEnv(),
        50_000,
      );
      onTestFinished(async () => {
        worker.child.kill('SIGKILL');
        await worker.exited;
      });
      expect(ready).toMatchObject({ group: 'fulfillment-worker', orderService: '127.0.0.1:9' });
      const metricsPort = Number(ready['metricsPort']);
      expect(metricsPort).toBeGreaterThan(0);
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('service="fulfillment-worker"');

      expect(await worker.stop()).toEqual({ code: 0, signal: null });
      const messages = worker.logs.map((entry) => entry.msg);
      expect(messages.indexOf('shutting down')).toBeGreaterThan(messages.indexOf('fulfillment-worker ready'));
      expect(messages.indexOf('stopped')).toBeGreaterThan(messages.indexOf('shutting down'));
      expect(worker.logs.find((entry) => entry.msg === 'stopped')).toMatchObject({ forced: false });
      expect(JSON.stringify(worker.logs)).not.toContain(secret);
    },
  );

  it('exits 78 naming AUTH_CLIENT_SECRET when it is missing', async () => {
    const { code, stderr } = await exitOf(without(baseEnv(), 'AUTH_CLIENT_SECRET'));
    expect(code).toBe(78);
    expect(stderr).toMatch(/AUTH_CLIENT_SECRET: required/);
  });

  it('exits 78 naming KAFKA_BROKERS when it is missing: consuming is its only job', async () => {
    const { code, stderr, stdout } = await exitOf(without(baseEnv(), 'KAFKA_BROKERS'));
    expect(code).toBe(78);
    expect(stderr).toMatch(/KAFKA_BROKERS: required/);
    expect(stderr + stdout).not.toContain(secret);
  });

  it('names every bad variable at once and never prints the secret', async () => {
    const tooShort = 'short-Secret-value';
    const { code, stderr, stdout } = await exitOf({
      ...without(baseEnv(), 'KAFKA_BROKERS'),
      AUTH_CLIENT_SECRET: tooShort,
      WORKER_METRICS_PORT: 'http',
    });
    expect(code).toBe(78);
    expect(stderr).toMatch(/KAFKA_BROKERS/);
    expect(stderr).toMatch(/AUTH_CLIENT_SECRET/);
    expect(stderr).toMatch(/WORKER_METRICS_PORT/);
    expect(stderr + stdout).not.toContain(tooShort);
  });

  it('exits 78 naming FULFILLMENT_DURATION above half the session timeout', async () => {
    const { code, stderr } = await exitOf({ ...baseEnv(), FULFILLMENT_DURATION: '16s' });
    expect(code).toBe(78);
    expect(stderr).toMatch(
      /FULFILLMENT_DURATION: expected a duration such as .*, from 0ms to 15s, got "16s"/,
    );
  });
});
