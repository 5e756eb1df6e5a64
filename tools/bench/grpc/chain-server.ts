// The handler behind the platform's full server chain, configured as a service runs it:
// auth with a real EdDSA token (verified once, then cached), tracing at 100% sampling with a
// batch processor exporting over OTLP (to the runner's loopback sink), Prometheus metrics,
// one JSON log line per call (to /dev/null), error mapping, deadlines, shutdown tracking.
import * as grpc from '@grpc/grpc-js';
import { createServerChain, InFlightCalls, JwtVerifier } from '@platform/grpc';
import { createLogger, createMetricsRegistry, setupTracing } from '@platform/observability';
import { destination } from 'pino';
import { benchAudience, benchIssuer, benchToken } from './bench-token.js';
import { serveOrders } from './serve-orders.js';

const { token, jwk } = await benchToken();
const tracing = setupTracing({ serviceName: 'bench-order-service' });
const registry = createMetricsRegistry({ collectDefaultMetrics: false });
const logger = createLogger({
  name: 'bench-order-service',
  destination: destination({ dest: '/dev/null', sync: false }),
});
const inFlight = new InFlightCalls();

// BENCH_WITHOUT=tracing,logging leaves concerns out, to attribute the chain's cost.
const without = new Set((process.env['BENCH_WITHOUT'] ?? '').split(',').filter(Boolean));
const unless = <T>(concern: string, value: T): T | false => (without.has(concern) ? false : value);

const server = new grpc.Server({
  interceptors: createServerChain({
    errors: { domain: 'order.platform' },
    tracing: unless('tracing', {}),
    metrics: unless('metrics', { registry }),
    logging: unless('logging', { logger }),
    shutdown: unless('shutdown', inFlight),
    deadline: unless('deadline', {}),
    auth: unless('auth', {
      verifier: new JwtVerifier({ jwks: { keys: [jwk] }, issuer: benchIssuer, audience: benchAudience }),
    }),
  }),
});
serveOrders(server, { token, exportUrl: tracing.exportUrl });
process.on('SIGTERM', () => {
  server.forceShutdown();
  void tracing.shutdown().finally(() => process.exit(0));
});
