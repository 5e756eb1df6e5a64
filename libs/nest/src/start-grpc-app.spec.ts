import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { createMetricsRegistry } from '@platform/observability';
import { protoFiles } from '@platform/proto';
import { freePort } from '@platform/testing';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HealthService } from '@platform/grpc';
import { startGrpcApp, type StartGrpcAppOptions } from './start-grpc-app.js';

@Module({})
class EmptyModule {}

async function options(port: number, closeAfter: () => unknown): Promise<StartGrpcAppOptions> {
  return {
    module: { module: EmptyModule },
    package: 'platform.order.v1',
    protoPath: protoFiles.orderService,
    host: '127.0.0.1',
    port,
    chain: { errors: { domain: 'test.platform' } },
    health: new HealthService({ services: ['platform.order.v1.OrderService'] }),
    registry: createMetricsRegistry(),
    metricsPort: 0,
    drainTimeoutMs: 1_000,
    closeAfter,
  };
}

describe('startGrpcApp', () => {
  it('serves metrics, and on stop reports NOT_SERVING, closes the app, then what it used, once', async () => {
    const closed: string[] = [];
    const used = () => closed.push('database');
    const settings = await options(await freePort(), used);
    const app = await startGrpcApp(settings);
    const metrics = await fetch(`http://127.0.0.1:${app.metricsPort}/metrics`);
    expect(metrics.status).toBe(200);

    const [first, second] = await Promise.all([app.stop(), app.stop()]);
    expect(first).toMatchObject({ forced: false });
    expect(second).toBe(first);
    expect(closed).toEqual(['database']);
    expect(settings.health.status('platform.order.v1.OrderService')).toBe('NOT_SERVING');
    await expect(fetch(`http://127.0.0.1:${app.metricsPort}/metrics`)).rejects.toThrow();
  });

  it('closes what the app would have used when it cannot listen, and says why', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    const closed: string[] = [];
    const used = () => closed.push('database');
    try {
      await expect(startGrpcApp(await options(port, used))).rejects.toThrow(/EADDRINUSE|address/i);
      expect(closed).toEqual(['database']);
    } finally {
      taken.close();
    }
  });
});
