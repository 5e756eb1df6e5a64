// What `npm run dev` shows of the platform, on the started stack: the real dev runner (dev.mjs,
// on a data directory and ports of its own: DEV_DATA_DIR and the apps' port variables) with its
// trace UI (Zipkin) and Prometheus, then the demo (`apps/platform-e2e/dist/demo.js`, as `npm run
// demo` runs it). Then: Zipkin's API returns the demo's trace with spans of user-service,
// order-service, the outbox relay's publish to Kafka and the worker's consumer; Prometheus'
// API has grpc_server_handled_total of each service and the worker's consumer series, scraped
// by itself; `npm run logs --trace <id>` (logs.mjs) prints lines of every app of that trace; a
// headless Chromium (Debian's, driven by playwright-core) opens the trace's page and a RED
// graph, their screenshots saved in dist/observability/. Waits are bounded by readiness only.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/free-port.mjs';

const root = join(import.meta.dirname, '..', '..');
const screenshots = join(root, 'dist', 'observability');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dataDir = mkdtempSync(join(tmpdir(), 'dev-observability-'));
// As root, the stack's PostgreSQL runs as the postgres user, which must reach its directory.
chmodSync(dataDir, 0o755);

let dev;
let output = '';
let ports;
let traceId;

// dev.mjs starts PostgreSQL, Kafka, Zipkin, Prometheus and the apps, then the demo runs: minutes
// on two busy cores. It runs with --no-build: this suite's Nx task built the apps, and other
// suites run those builds meanwhile (a nested Nx build without its cache, as in CI, rewrote the
// libs' dist/ under them: a user-service started by the order-service suite once found
// @platform/grpc's index.js half written). Readiness decides; this
// bound only stops a hang, and says where dev was.
const startBoundMs = 840_000;

/** Resolves once `pattern` is in dev's output; rejects when dev exits first (or hangs past the bound). */
function devSays(pattern) {
  const started = Date.now();
  return new Promise((resolveSaid, rejectSaid) => {
    const check = () => {
      if (pattern.test(output)) resolveSaid();
      else if (dev.exitCode !== null) rejectSaid(new Error(`dev exited with ${dev.exitCode}:\n${output}`));
      else if (Date.now() - started > startBoundMs)
        rejectSaid(new Error(`dev not ready after ${startBoundMs / 1000} s; its output so far:\n${output}`));
      else setTimeout(check, 200);
    };
    check();
  });
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

async function promQuery(query) {
  const body = await getJson(
    `http://127.0.0.1:${ports.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  return body.data.result;
}

beforeAll(async () => {
  ports = {
    user: await freePort(),
    order: await freePort(),
    userMetrics: await freePort(),
    orderMetrics: await freePort(),
    workerMetrics: await freePort(),
    zipkin: await freePort(),
    prometheus: await freePort(),
  };
  dev = spawn(process.execPath, [join(root, 'tools', 'dev', 'dev.mjs'), '--no-build'], {
    cwd: root,
    env: {
      ...process.env,
      DEV_DATA_DIR: dataDir,
      USER_GRPC_PORT: String(ports.user),
      ORDER_GRPC_PORT: String(ports.order),
      USER_METRICS_PORT: String(ports.userMetrics),
      ORDER_METRICS_PORT: String(ports.orderMetrics),
      WORKER_METRICS_PORT: String(ports.workerMetrics),
      ZIPKIN_PORT: String(ports.zipkin),
      PROMETHEUS_PORT: String(ports.prometheus),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev.stdout.on('data', (chunk) => (output += chunk));
  dev.stderr.on('data', (chunk) => (output += chunk));
  await devSays(/dev: ready\./);

  const demo = spawnSync(process.execPath, [join(root, 'apps', 'platform-e2e', 'dist', 'demo.js')], {
    cwd: root,
    env: {
      ...process.env,
      USER_SERVICE_ADDRESS: `127.0.0.1:${ports.user}`,
      ORDER_SERVICE_ADDRESS: `127.0.0.1:${ports.order}`,
      TRACE_UI_URL: `http://127.0.0.1:${ports.zipkin}`,
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(demo.status, `${demo.stdout}${demo.stderr}`).toBe(0);
  traceId = /trace id of "place an order": ([0-9a-f]{32})/.exec(demo.stdout)?.[1];
  expect(traceId).toBeDefined();
  // The demo's trace link points at this stack's trace UI.
  expect(demo.stdout).toContain(`http://127.0.0.1:${ports.zipkin}/zipkin/traces/${traceId}`);
}, startBoundMs + 180_000);

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    const exited = new Promise((resolveExit) => dev.once('exit', resolveExit));
    dev.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe('npm run dev with its trace UI and Prometheus', () => {
  it('lists both UIs in the ready table', () => {
    expect(output).toMatch(new RegExp(`zipkin\\s+http://127\\.0\\.0\\.1:${ports.zipkin}/zipkin/`));
    expect(output).toMatch(new RegExp(`prometheus\\s+http://127\\.0\\.0\\.1:${ports.prometheus}/graph`));
  });

  it("has the demo's trace in Zipkin with spans of user-service, order-service, the outbox relay's publish and the worker", async () => {
    const want = [
      ['user-service', 'SERVER'],
      ['order-service', 'SERVER'],
      ['order-service', 'PRODUCER'],
      ['fulfillment-worker', 'CONSUMER'],
    ];
    let spans = [];
    // The apps export every second; the worker's spans come after its fulfilment.
    await expect
      .poll(
        async () => {
          spans = await getJson(`http://127.0.0.1:${ports.zipkin}/api/v2/trace/${traceId}`).catch(() => []);
          return want.filter(([service, kind]) =>
            spans.some((span) => span.localEndpoint?.serviceName === service && span.kind === kind),
          );
        },
        { timeout: 30_000, interval: 500 },
      )
      .toEqual(want);
    expect(spans.every((span) => span.traceId === traceId)).toBe(true);
    expect(spans.some((span) => span.kind === 'PRODUCER' && /order\.events\.v1/.test(span.name))).toBe(true);
  });

  it('has grpc_server_handled_total of each service and the worker consumer series in Prometheus, from its own scrapes', async () => {
    await expect
      .poll(
        async () => {
          const handled = await promQuery('sum by (job) (grpc_server_handled_total{grpc_code="OK"})');
          const consumer = await promQuery('sum by (job) (events_processed_total{job="fulfillment-worker"})');
          return {
            services: handled.map((series) => series.metric.job).sort(),
            worker: consumer.map((series) => series.metric.job),
          };
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toEqual({ services: ['order-service', 'user-service'], worker: ['fulfillment-worker'] });
    const lag = await promQuery('events_consumer_lag{job="fulfillment-worker"}');
    expect(lag.length).toBeGreaterThan(0);
    const targets = await getJson(`http://127.0.0.1:${ports.prometheus}/api/v1/targets`);
    expect(
      targets.data.activeTargets.map((target) => `${target.labels.job} ${target.health}`).sort(),
    ).toEqual(
      expect.arrayContaining([
        'fulfillment-worker up',
        'order-service up',
        'prometheus up',
        'user-service up',
        'zipkin up',
      ]),
    );
    // The recording rules are loaded (the RED, lag and backlog queries of the README).
    const rules = await getJson(`http://127.0.0.1:${ports.prometheus}/api/v1/rules`);
    const recorded = rules.data.groups.flatMap((group) => group.rules.map((rule) => rule.name));
    expect(recorded).toEqual(
      expect.arrayContaining([
        'platform:grpc_server_handled:rate1m',
        'platform:grpc_server_handling_seconds:p99_1m',
        'platform:events_consumer_lag:sum',
        'platform:outbox_backlog:max',
      ]),
    );
  });

  it('prints lines of every app of the trace with `npm run logs --trace <id>`', () => {
    // Through npm, as a person types it (npm takes `--trace` as its own flag and passes the id on).
    const logs = spawnSync('npm', ['run', '--silent', 'logs', '--trace', traceId], {
      cwd: root,
      env: { ...process.env, DEV_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    expect(logs.status, logs.stderr).toBe(0);
    const apps = new Set(
      logs.stdout
        .split('\n')
        .map((line) => /^(user-service|order-service|fulfillment-worker)\s/.exec(line)?.[1])
        .filter(Boolean),
    );
    expect([...apps].sort()).toEqual(['fulfillment-worker', 'order-service', 'user-service']);
    expect(logs.stdout).toContain(`trace_id: "${traceId}"`);
  });

  it('shows the trace page and a RED graph in a browser (screenshots in dist/observability/)', async () => {
    mkdirSync(screenshots, { recursive: true });
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`http://127.0.0.1:${ports.zipkin}/zipkin/traces/${traceId}`);
      // The waterfall names the services of the trace once the UI has loaded it.
      await page.getByText('fulfillment-worker', { exact: false }).first().waitFor({ timeout: 30_000 });
      await page.getByText('order-service', { exact: false }).first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(screenshots, 'zipkin-trace.png'), fullPage: true });

      const query = 'sum by (job, grpc_method) (rate(grpc_server_handled_total[1m]))';
      // A rate needs two scrapes of the series in its window; the page runs its query once, on load.
      await expect
        .poll(async () =>
          (await promQuery(query)).some((series) => series.metric.grpc_method === 'CreateOrder'),
        )
        .toBe(true);
      await page.goto(
        `http://127.0.0.1:${ports.prometheus}/graph?g0.expr=${encodeURIComponent(query)}&g0.tab=0&g0.range_input=1m`,
      );
      // The graph's legend lists the series of the query once it has run.
      await page.getByText('CreateOrder', { exact: false }).first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(screenshots, 'prometheus-red.png'), fullPage: true });
    } finally {
      await browser.close();
    }
    expect(existsSync(join(screenshots, 'zipkin-trace.png'))).toBe(true);
    expect(existsSync(join(screenshots, 'prometheus-red.png'))).toBe(true);
  });
});
