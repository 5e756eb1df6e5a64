// A service as the platform runs one: the full server chain in its fixed order, health and
// reflection, graceful shutdown, and a client built with the full client chain.
import * as grpc from '@grpc/grpc-js';
import { NotFoundError } from '@platform/core';
import {
  addReflection,
  anyOf,
  createClient,
  createClientChain,
  createServerChain,
  currentPrincipal,
  gracefulShutdown,
  HealthService,
  InFlightCalls,
  infrastructureMethods,
  JwtVerifier,
  methodsIn,
  not,
  RefreshingTokenProvider,
  unaryCall,
} from '@platform/grpc';
import { createLogger, createMetricsRegistry } from '@platform/observability';
import {
  GetOrderRequest,
  OrderServiceClient,
  OrderServiceService,
  platformProtosDir,
  protoFiles,
  type GetOrderResponse,
} from '@platform/proto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { join } from 'node:path';

// Keys: in a service they come from the user service's JWKS file; here, made up front.
const { publicKey, privateKey } = await generateKeyPair('EdDSA');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] };
const issueToken = async () => ({
  token: await new SignJWT({ roles: ['user'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setIssuer('user.platform')
    .setAudience('order-service')
    .setSubject('user-1')
    .setExpirationTime('5m')
    .sign(privateKey),
  expiresAt: Date.now() + 5 * 60_000,
});

const logger = createLogger({ name: 'order-service' });
const registry = createMetricsRegistry();
const health = new HealthService();
const inFlight = new InFlightCalls();

const server = new grpc.Server({
  interceptors: createServerChain({
    errors: { domain: 'order.platform' },
    tracing: {},
    metrics: { registry },
    logging: { logger },
    shutdown: inFlight,
    deadline: { defaultDeadlineMs: 5_000 },
    auth: {
      verifier: new JwtVerifier({ jwks, issuer: 'user.platform', audience: 'order-service' }),
      selector: not(anyOf(infrastructureMethods, methodsIn('/platform.user.v1.UserService/Authenticate'))),
    },
    rateLimit: { ratePerSecond: 50, burst: 100 },
    validation: {
      validators: {
        '/platform.order.v1.OrderService/GetOrder': (request: GetOrderRequest) =>
          request.orderId ? [] : [{ field: 'order_id', description: 'is required' }],
      },
    },
  }),
});
server.addService(OrderServiceService, {
  getOrder: (
    call: grpc.ServerUnaryCall<GetOrderRequest, GetOrderResponse>,
    callback: grpc.sendUnaryData<GetOrderResponse>,
  ) =>
    callback(
      new NotFoundError(`Order ${call.request.orderId} not found for ${currentPrincipal()?.subject}`, {
        resourceType: 'platform.order.v1.Order',
        resourceName: call.request.orderId,
      }),
    ),
} as grpc.UntypedServiceImplementation);
health.addToServer(server);
addReflection(server, [join(platformProtosDir, protoFiles.orderService)]);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);
await health.start();

const orders = createClient(OrderServiceClient, `127.0.0.1:${port}`, {
  interceptors: createClientChain({ auth: { provider: new RefreshingTokenProvider(issueToken) } }),
});
try {
  await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-404' }));
} catch (error) {
  console.log('client got:', error);
}
orders.close();
console.log(await gracefulShutdown(server, { inFlight, health, drainTimeoutMs: 2_000 }));
