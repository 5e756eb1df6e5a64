// Peer "nice-grpc + middlewares": nice-grpc's server with its published middlewares for tracing
// (nice-grpc-opentelemetry, on the same SDK set-up as the stock-OTel peer) and metrics
// (nice-grpc-prometheus), and small ones for what has no package: a pino line per call, the
// chain's default deadline and its JWT check (jose, verified once, then cached by raw token).
import { setupStockTracing } from './stock-tracing.js';
import { OrderServiceService, type GetOrderRequest } from '@platform/proto';
import { createServer } from 'nice-grpc';
import { openTelemetryServerMiddleware } from 'nice-grpc-opentelemetry';
import { prometheusServerMiddleware } from 'nice-grpc-prometheus';
import { destination, pino } from 'pino';
import { announce, getOrder } from './bench-order.js';
import { benchToken } from './bench-token.js';
import { cachedJwtCheck } from './cached-jwt-check.js';
import { niceAuthMiddleware } from './nice-auth-middleware.js';
import { niceDeadlineMiddleware } from './nice-deadline-middleware.js';
import { niceLoggingMiddleware } from './nice-logging-middleware.js';

const shutdownTracing = setupStockTracing();
const { token, jwk } = await benchToken();
const logger = pino({ name: 'bench-order-service' }, destination({ dest: '/dev/null', sync: false }));
// In the chain's order: tracing, metrics, logging, deadline, auth.
const server = createServer()
  .use(openTelemetryServerMiddleware())
  .use(prometheusServerMiddleware())
  .use(niceLoggingMiddleware(logger))
  .use(niceDeadlineMiddleware(30_000))
  .use(niceAuthMiddleware(cachedJwtCheck(jwk)));
// Only GetOrder: nice-grpc wants an implementation of every method of the definition it is given.
server.add(
  { getOrder: OrderServiceService.getOrder },
  {
    getOrder: (request: GetOrderRequest) => Promise.resolve(getOrder(request)),
  },
);
const port = await server.listen('127.0.0.1:0');
announce(port, { token });
process.on('SIGTERM', () => {
  server.forceShutdown();
  void shutdownTracing().finally(() => process.exit(0));
});
