import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appConfigLoader,
  checkCompose,
  hostAndPort,
  interpolate,
  metricNamesIn,
  parseEnvFile,
} from './check-compose.mjs';

const root = resolve(import.meta.dirname, '..', '..');

interface ProbeResult {
  healthy: boolean;
  detail: string;
}
// deploy/ is no project of the workspace: loaded by path, as the image runs it.
const { probeGrpc, probeHttp } = (await import(
  pathToFileURL(join(root, 'deploy', 'healthcheck.mjs')).href
)) as {
  probeGrpc(address: string, service?: string, timeoutMs?: number): Promise<ProbeResult>;
  probeHttp(url: string, timeoutMs?: number): Promise<ProbeResult>;
};
// The apps' configuration schemas from their TypeScript sources (vitest compiles them).
const loadAppConfig = appConfigLoader(root, 'src');
const check = (files: Record<string, string> = {}) => checkCompose({ root, loadAppConfig, files });

/** A copy of a file of the repository with `from` (which must be in it) replaced by `to`. */
function edited(path: string, from: string, to: string, files: Record<string, string> = {}) {
  const text = files[path] ?? readFileSync(join(root, path), 'utf8');
  expect(text, `${path} should contain ${JSON.stringify(from)}`).toContain(from);
  return { ...files, [path]: text.replace(from, to) };
}
const compose = (from: string, to: string) => edited('docker-compose.yml', from, to);
const readme = 'set it in .env, see deploy/README.md';

describe('docker-compose.yml', () => {
  it('matches the Compose Specification, the apps’ configuration, Prometheus and the dashboard', async () => {
    expect(await check()).toEqual([]);
  });

  describe('against the Compose Specification schema', () => {
    it('reports a key the specification does not know', async () => {
      const problems = await check(
        compose(
          '    image: platform/user-service:local\n',
          '    image: platform/user-service:local\n    imagee: x\n',
        ),
      );
      expect(problems).toContainEqual(
        expect.stringMatching(
          /Compose Specification: \/services\/user-service must NOT have unevaluated properties \(imagee\)/,
        ),
      );
    });

    it('reports a depends_on condition that does not exist', async () => {
      const problems = await check(compose('condition: service_healthy', 'condition: service_healty'));
      expect(problems).toContainEqual(
        expect.stringMatching(/\/depends_on\/prometheus\/condition must be equal to one of/),
      );
    });

    it('reports a value of the wrong type', async () => {
      const problems = await check(compose('  stop_grace_period: 20s', '  stop_grace_period: [20s]'));
      expect(problems).toContainEqual(expect.stringMatching(/\/stop_grace_period must be string/));
    });
  });

  describe('against the apps’ configuration schemas', () => {
    it('reports a variable the app does not have', async () => {
      const problems = await check(
        compose(
          '      USER_METRICS_PORT: 9464\n',
          '      USER_METRICS_PORT: 9464\n      USER_METRICS_PATH: /m\n',
        ),
      );
      expect(problems).toContain(
        'user-service: USER_METRICS_PATH is not a variable of user-service (apps/user-service/src/user-service.config.ts)',
      );
    });

    it('reports a required variable that is not set', async () => {
      const problems = await check(
        compose(`      AUTH_CLIENT_SECRET: \${FULFILLMENT_WORKER_CLIENT_SECRET:?${readme}}\n`, ''),
      );
      expect(problems).toEqual([
        'fulfillment-worker: AUTH_CLIENT_SECRET is required by fulfillment-worker (apps/fulfillment-worker/src/fulfillment-worker.config.ts) but not set',
        'fulfillment-worker: fulfillment-worker rejects its configuration: AUTH_CLIENT_SECRET: required, expected a non-empty secret, but it is not set',
      ]);
    });

    it('reports the worker without KAFKA_BROKERS (required there, optional in the services)', async () => {
      const problems = await check(
        compose(
          '      KAFKA_BROKERS: kafka:9092\n      ORDER_SERVICE_ADDRESS',
          '      ORDER_SERVICE_ADDRESS',
        ),
      );
      expect(problems).toEqual([
        'fulfillment-worker: KAFKA_BROKERS is required by fulfillment-worker (apps/fulfillment-worker/src/fulfillment-worker.config.ts) but not set',
        expect.stringMatching(
          /^fulfillment-worker: fulfillment-worker rejects its configuration: .*KAFKA_BROKERS/,
        ),
      ]);
    });

    it('reports a value the app rejects', async () => {
      const problems = await check(compose('      LOG_LEVEL: info', '      LOG_LEVEL: loud'));
      expect(problems).toEqual([
        expect.stringMatching(/^user-service: user-service rejects its configuration: .*LOG_LEVEL.*"loud"/),
      ]);
    });

    it('reports a secret written into the file', async () => {
      const problems = await check(
        compose(
          `      AUTH_CLIENT_SECRET: \${ORDER_SERVICE_CLIENT_SECRET:?${readme}}`,
          '      AUTH_CLIENT_SECRET: 0123456789abcdef0123456789abcdef',
        ),
      );
      expect(problems).toContain(
        'order-service: AUTH_CLIENT_SECRET is a secret, written literally; take it from .env (${NAME:?…})',
      );
      expect(problems).toContain(
        'order-service: AUTH_CLIENT_SECRET is not the secret AUTH_SERVICE_CLIENTS gives order-service',
      );
    });

    it('reports a value of deploy/env.example the app rejects (FULFILLMENT_DURATION above 15s)', async () => {
      const problems = await check(
        edited('deploy/env.example', 'FULFILLMENT_DURATION=3s', 'FULFILLMENT_DURATION=1m'),
      );
      expect(problems).toEqual([
        expect.stringMatching(
          /^fulfillment-worker: fulfillment-worker rejects its configuration: .*FULFILLMENT_DURATION.*"1m"/,
        ),
      ]);
    });

    it('reports a secret of .env that deploy/env.example does not list', async () => {
      const problems = await check(compose('${GRAFANA_ADMIN_PASSWORD:?', '${GRAFANA_PASSWORD:?'));
      expect(problems).toContain(
        'docker-compose.yml reads ${GRAFANA_PASSWORD} from .env, but deploy/env.example does not list it',
      );
      expect(problems).toContain(
        'deploy/env.example lists GRAFANA_ADMIN_PASSWORD, which docker-compose.yml does not use',
      );
    });
  });

  describe('ports and addresses against the configured ones', () => {
    it('reports a gRPC port that the published port, the probe and the callers do not use', async () => {
      const problems = await check(compose('      USER_GRPC_PORT: 50051', '      USER_GRPC_PORT: 50061'));
      expect(problems).toEqual([
        'user-service: publishes container port 50051, but user-service listens on 50061 and 9464 (USER_GRPC_PORT=50061, USER_METRICS_PORT=9464)',
        'user-service: the gRPC port USER_GRPC_PORT=50061 is not published',
        'user-service: the healthcheck probes 127.0.0.1:50051, but USER_GRPC_PORT=50061',
        'order-service: USER_SERVICE_ADDRESS=dns:///user-service:50051, but user-service listens on USER_GRPC_PORT=50061',
        'fulfillment-worker: USER_SERVICE_ADDRESS=dns:///user-service:50051, but user-service listens on USER_GRPC_PORT=50061',
      ]);
    });

    it('reports a published port the app does not listen on', async () => {
      const problems = await check(compose("'127.0.0.1:50052:50052'", "'127.0.0.1:50052:50053'"));
      expect(problems).toEqual([
        'order-service: publishes container port 50053, but order-service listens on 50052 and 9465 (ORDER_GRPC_PORT=50052, ORDER_METRICS_PORT=9465)',
        'order-service: the gRPC port ORDER_GRPC_PORT=50052 is not published',
      ]);
    });

    it('reports a Prometheus target on the wrong port', async () => {
      const problems = await check(
        edited('deploy/prometheus/prometheus.yml', "'order-service:9465'", "'order-service:9464'"),
      );
      expect(problems).toEqual([
        'deploy/prometheus/prometheus.yml: target order-service:9464, but order-service serves metrics on ORDER_METRICS_PORT=9465',
        'deploy/prometheus/prometheus.yml: does not scrape order-service:9465 (ORDER_METRICS_PORT)',
      ]);
    });

    it('reports the worker’s metrics port moved without its probe and scrape target', async () => {
      const problems = await check(
        compose('      WORKER_METRICS_PORT: 9466', '      WORKER_METRICS_PORT: 9476'),
      );
      expect(problems).toContain(
        'fulfillment-worker: the healthcheck probes http://127.0.0.1:9466/metrics, but WORKER_METRICS_PORT=9476 serves /metrics',
      );
      expect(problems).toContain(
        'deploy/prometheus/prometheus.yml: does not scrape fulfillment-worker:9476 (WORKER_METRICS_PORT)',
      );
    });

    it('reports a server listening on loopback in its container', async () => {
      const problems = await check(
        compose('      ORDER_GRPC_HOST: 0.0.0.0', '      ORDER_GRPC_HOST: 127.0.0.1'),
      );
      expect(problems).toEqual([
        'order-service: ORDER_GRPC_HOST=127.0.0.1 listens on loopback only; use 0.0.0.0 in a container',
      ]);
    });

    it('reports a database the init script does not create', async () => {
      const problems = await check(compose('@postgres:5432/order_service', '@postgres:5432/orders'));
      expect(problems).toEqual([
        'order-service: DATABASE_URL names the database orders, which the PostgreSQL init script does not create',
      ]);
    });

    it('reports a broker the Kafka service does not advertise', async () => {
      const problems = await check(
        compose('      KAFKA_BROKERS: kafka:9092', '      KAFKA_BROKERS: kafka:29092'),
      );
      expect(problems).toEqual([
        'user-service: KAFKA_BROKERS has kafka:29092, which kafka does not advertise (INTERNAL://kafka:9092,HOST://localhost:29092)',
      ]);
    });
  });

  describe('start order, volumes, images, dashboard', () => {
    it('reports an app not waiting for a service it needs to be healthy', async () => {
      const problems = await check(compose('      user-service:\n        condition: service_healthy\n', ''));
      expect(problems).toEqual([
        'order-service: depends on user-service but not with condition: service_healthy',
      ]);
    });

    it('reports a data directory outside a volume', async () => {
      const problems = await check(
        compose('      ORDER_DATA_DIR: /data/order-service', '      ORDER_DATA_DIR: /srv/orders'),
      );
      expect(problems).toEqual(['order-service: ORDER_DATA_DIR=/srv/orders is not on a named volume']);
    });

    it('reports an image without a pinned version', async () => {
      const problems = await check(compose('grafana/grafana:12.1.1', 'grafana/grafana:latest'));
      expect(problems).toEqual(['grafana: image grafana/grafana:latest is not pinned to a version']);
    });

    it('reports a dashboard query on a metric no lib registers', async () => {
      const problems = await check(
        edited('deploy/grafana/dashboards/platform.json', 'events_consumer_lag{', 'events_consumer_lagg{'),
      );
      expect(problems).toEqual([
        'deploy/grafana/dashboards/platform.json: panel "Consumer lag" reads events_consumer_lagg, which no lib registers',
      ]);
    });
  });
});

describe('the check’s parsing', () => {
  it('interpolates as Compose does', () => {
    const missing: string[] = [];
    const env = { SET: 'value', EMPTY: '' };
    const run = (text: string) => interpolate(text, env, (name) => missing.push(name));
    expect(run('$$HOME ${SET} $SET')).toBe('$HOME value value');
    expect(run('${EMPTY:-default} ${EMPTY-default} ${UNSET-default}')).toBe('default  default');
    expect(run('${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt}')).toBe('alt  alt');
    expect(run('a:${REQUIRED:?set it},b')).toBe('a:,b');
    expect(missing).toEqual(['REQUIRED']);
  });

  it('reads addresses, env files and PromQL metric names', () => {
    expect(hostAndPort('dns:///user-service:50051')).toEqual({ host: 'user-service', port: 50051 });
    expect(hostAndPort('postgres://u:p@postgres:5432/db')).toEqual({ host: 'postgres', port: 5432 });
    expect(hostAndPort('http://jaeger:4318')).toEqual({ host: 'jaeger', port: 4318 });
    expect(parseEnvFile('# comment\nA=\nB=x=y\n')).toEqual(
      new Map([
        ['A', ''],
        ['B', 'x=y'],
      ]),
    );
    expect(
      metricNamesIn(
        'histogram_quantile(0.9, sum by (le, grpc_method) (rate(grpc_server_handling_seconds_bucket{grpc_code!="OK"}[5m])))',
      ).filter((name) => name.startsWith('grpc_')),
    ).toEqual(['grpc_server_handling_seconds_bucket']);
  });
});

describe('deploy/healthcheck.mjs, the containers’ health probe', () => {
  const exec = promisify(execFile);
  const script = join(root, 'deploy', 'healthcheck.mjs');
  const run = (...args: string[]) =>
    exec(process.execPath, [script, ...args]).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
  let server: grpc.Server;
  let health: HealthImplementation;
  let address: string;
  let http: HttpServer;
  let metricsUrl: string;

  beforeAll(async () => {
    server = new grpc.Server();
    health = new HealthImplementation({ '': 'SERVING', 'platform.user.v1.UserService': 'SERVING' });
    health.addToServer(server);
    const port = await new Promise<number>((done, fail) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? fail(error) : done(bound),
      ),
    );
    address = `127.0.0.1:${port}`;
    http = createServer((request, response) => {
      response.writeHead(request.url === '/metrics' ? 200 : 404).end();
    });
    await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
    metricsUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.forceShutdown();
    await new Promise((done) => http.close(done));
  });

  it('is healthy while the service reports SERVING, and exits 0', async () => {
    expect(await probeGrpc(address, 'platform.user.v1.UserService')).toMatchObject({ healthy: true });
    expect(await run('grpc', address, 'platform.user.v1.UserService')).toBe(0);
  });

  it('is unhealthy on NOT_SERVING, an unknown service or nothing listening, and exits 1', async () => {
    health.setStatus('platform.user.v1.UserService', 'NOT_SERVING');
    try {
      expect(await probeGrpc(address, 'platform.user.v1.UserService')).toEqual({
        healthy: false,
        detail: `${address} platform.user.v1.UserService: NOT_SERVING`,
      });
      expect(await run('grpc', address, 'platform.user.v1.UserService')).toBe(1);
    } finally {
      health.setStatus('platform.user.v1.UserService', 'SERVING');
    }
    expect(await probeGrpc(address, 'platform.order.v1.OrderService')).toMatchObject({ healthy: false });
    expect(await probeGrpc('127.0.0.1:1', '', 1_000)).toMatchObject({ healthy: false });
    expect(await run('nonsense')).toBe(1);
  });

  it('probes the worker by GET /metrics answering 200', async () => {
    expect(await probeHttp(`${metricsUrl}/metrics`)).toMatchObject({ healthy: true });
    expect(await run('http', `${metricsUrl}/metrics`)).toBe(0);
    expect(await probeHttp(`${metricsUrl}/other`)).toMatchObject({ healthy: false });
    expect(await run('http', 'http://127.0.0.1:1/metrics')).toBe(1);
  });
});
