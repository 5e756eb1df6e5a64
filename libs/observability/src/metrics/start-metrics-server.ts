import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { MetricsServer, StartMetricsServerOptions } from './metrics-options.js';

const metricsPath = '/metrics';

async function serveMetrics(registry: Registry, request: IncomingMessage, response: ServerResponse) {
  const path = new URL(request.url ?? '/', 'http://metrics').pathname;
  if (path !== metricsPath || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  try {
    const body = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch (error) {
    // A failing collector must not take the endpoint down: Prometheus records the failed scrape.
    const message = error instanceof Error ? error.message : String(error);
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
  }
}

/**
 * Serves a registry in the Prometheus text format at `GET /metrics` on its own HTTP port
 * (404 for anything else), apart from the gRPC port so scraping never competes with calls.
 */
export async function startMetricsServer(options: StartMetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((request, response) => void serveMetrics(options.registry, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
