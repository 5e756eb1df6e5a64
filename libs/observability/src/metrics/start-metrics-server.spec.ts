import { Counter, type Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './create-metrics-registry.js';
import type { MetricsServer } from './metrics-options.js';
import { startMetricsServer } from './start-metrics-server.js';

describe('startMetricsServer', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(registry: Registry) {
    server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry });
    return `http://127.0.0.1:${server.port}`;
  }

  describe('GET /metrics', () => {
    it('answers the registry in the Prometheus text format with its content type', async () => {
      const registry = createMetricsRegistry({ collectDefaultMetrics: false });
      new Counter({ name: 'orders_created_total', help: 'Orders created', registers: [registry] }).inc(3);
      const response = await fetch(`${await serve(registry)}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(registry.contentType);
      const body = await response.text();
      expect(body).toContain('# TYPE orders_created_total counter');
      expect(body).toContain('orders_created_total 3');
    });

    it('ignores a query string', async () => {
      const registry = createMetricsRegistry({ collectDefaultMetrics: false });
      const response = await fetch(`${await serve(registry)}/metrics?name[]=x`);
      expect(response.status).toBe(200);
    });

    it('answers 500 with the reason when a collector fails, and keeps serving', async () => {
      const registry = createMetricsRegistry({ collectDefaultMetrics: false });
      let fail = true;
      new Counter({
        name: 'flaky_total',
        help: 'Fails to collect once',
        registers: [registry],
        collect() {
          if (fail) {
            fail = false;
            throw new Error('collector broke');
          }
        },
      });
      const base = await serve(registry);
      const failed = await fetch(`${base}/metrics`);
      expect(failed.status).toBe(500);
      expect(await failed.text()).toContain('collector broke');
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
    });
  });

  describe('anything else', () => {
    it.each([
      ['GET', '/'],
      ['GET', '/metrics/extra'],
      ['POST', '/metrics'],
    ])('answers 404 to %s %s', async (method, path) => {
      const registry = createMetricsRegistry({ collectDefaultMetrics: false });
      const response = await fetch(`${await serve(registry)}${path}`, { method });
      expect(response.status).toBe(404);
    });
  });

  describe('port 0', () => {
    it('listens on a free port and reports it', async () => {
      const registry = createMetricsRegistry({ collectDefaultMetrics: false });
      await serve(registry);
      expect(server?.port).toBeGreaterThan(0);
    });
  });

  describe('close()', () => {
    it('stops listening, also with a kept-alive scrape connection open', async () => {
      const registry = createMetricsRegistry({ collectDefaultMetrics: false });
      const base = await serve(registry);
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
      await server?.close();
      server = undefined;
      await expect(fetch(`${base}/metrics`)).rejects.toThrow();
    });
  });

  describe('a port already in use', () => {
    it('rejects instead of starting', async () => {
      const registry = createMetricsRegistry({ collectDefaultMetrics: false });
      await serve(registry);
      await expect(
        startMetricsServer({ port: server?.port ?? 0, host: '127.0.0.1', registry }),
      ).rejects.toThrow(/EADDRINUSE/);
    });
  });
});

describe('createMetricsRegistry', () => {
  it('adds the default labels to every metric', async () => {
    const registry = createMetricsRegistry({
      defaultLabels: { service: 'order-service' },
      collectDefaultMetrics: false,
    });
    new Counter({ name: 'ticks_total', help: 'Ticks', registers: [registry] }).inc();
    expect(await registry.metrics()).toContain('ticks_total{service="order-service"} 1');
  });

  it('registers the process and runtime metrics by default', async () => {
    const text = await createMetricsRegistry().metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('registers no runtime metrics when asked not to', async () => {
    const registry = createMetricsRegistry({ collectDefaultMetrics: false });
    expect(registry.getMetricsAsArray()).toEqual([]);
  });

  it('gives each call its own registry', () => {
    const first = createMetricsRegistry({ collectDefaultMetrics: false });
    new Counter({ name: 'only_here_total', help: 'x', registers: [first] });
    expect(
      createMetricsRegistry({ collectDefaultMetrics: false }).getSingleMetric('only_here_total'),
    ).toBeUndefined();
  });
});
