// The handler behind the platform's full server chain, configured as a service runs it:
// auth with a real EdDSA token (verified once, then cached), tracing at 100% sampling with a
// batch processor exporting over OTLP (to the runner's loopback sink), Prometheus metrics,
// one JSON log line per call (to /dev/null), error mapping, deadlines, shutdown tracking.
import * as grpc from '@grpc/grpc-js';
import { createServerChain, InFlightCalls, JwtVerifier } from '@platform/grpc';
import { createLogger, createMetricsRegistry, setupTracing } from '@platform/observability';
import { OrderServiceService, type GetOrderRequest, type GetOrderResponse } from '@platform/proto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { destination } from 'pino';
import { announce, getOrder } from './bench-order.js';

const issuer = 'bench.platform';
const audience = 'order-service';
const { publicKey, privateKey } = await generateKeyPair('EdDSA');
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'EdDSA', use: 'sig' };
const token = await new SignJWT({ roles: ['user'] })
  .setProtectedHeader({ alg: 'EdDSA', kid: 'bench-1' })
  .setIssuer(issuer)
  .setAudience(audience)
  .setSubject('0b0f1f5e-2c47-4a39-8d6e-5f3b3f2d9a10')
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);

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
    auth: unless('auth', { verifier: new JwtVerifier({ jwks: { keys: [jwk] }, issuer, audience }) }),
  }),
});
server.addService(OrderServiceService, {
  getOrder: (
    call: grpc.ServerUnaryCall<GetOrderRequest, GetOrderResponse>,
    callback: grpc.sendUnaryData<GetOrderResponse>,
  ) => callback(null, getOrder(call.request)),
} as grpc.UntypedServiceImplementation);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  announce(port, { token, exportUrl: tracing.exportUrl });
});
process.on('SIGTERM', () => {
  server.forceShutdown();
  void tracing.shutdown().finally(() => process.exit(0));
});
