// Peer "grpc-js + stock OTel": plain grpc-js with what a team assembles from stock parts for the
// chain's work: @opentelemetry/instrumentation-grpc on the SDK (100% sampling, batch OTLP export
// to the runner's sink), a prom-client interceptor, a pino line per call (to /dev/null) and the
// chain's JWT check with jose (verified once, then cached by raw token).
import { shutdownTracing } from './grpc-instrumentation.js';
import * as grpc from '@grpc/grpc-js';
import { pino, destination } from 'pino';
import { Registry } from 'prom-client';
import { benchToken } from './bench-token.js';
import { cachedJwtCheck } from './cached-jwt-check.js';
import { joseAuthInterceptor } from './jose-auth-interceptor.js';
import { pinoLogInterceptor } from './pino-log-interceptor.js';
import { promMetricsInterceptor } from './prom-metrics-interceptor.js';
import { serveOrders } from './serve-orders.js';

// A patched grpc-js wraps Server.prototype.register; without it this row would measure no tracing.
if (!('__wrapped' in grpc.Server.prototype.register))
  throw new Error('instrumentation-grpc did not patch grpc-js');

const { token, jwk } = await benchToken();
const logger = pino({ name: 'bench-order-service' }, destination({ dest: '/dev/null', sync: false }));
const server = new grpc.Server({
  interceptors: [
    promMetricsInterceptor(new Registry()),
    pinoLogInterceptor(logger),
    joseAuthInterceptor(cachedJwtCheck(jwk)),
  ],
});
serveOrders(server, { token });
process.on('SIGTERM', () => {
  server.forceShutdown();
  void shutdownTracing().finally(() => process.exit(0));
});
