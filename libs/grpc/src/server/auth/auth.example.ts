// Bearer JWT auth: the server verifies tokens against a JWKS (pinned algorithms, issuer,
// audience, kid) and requires roles per method; the client attaches a service token that is
// refreshed before it expires.
import * as grpc from '@grpc/grpc-js';
import {
  authClientInterceptor,
  authServerInterceptor,
  contextInterceptor,
  createClient,
  currentPrincipal,
  errorInterceptor,
  JwtVerifier,
  RefreshingTokenProvider,
  unaryCall,
} from '@platform/grpc';
import { GetOrderRequest, GetOrderResponse, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const { publicKey, privateKey } = await generateKeyPair('EdDSA');
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }] };

const server = new grpc.Server({
  interceptors: [
    contextInterceptor,
    errorInterceptor({ domain: 'order.platform' }),
    authServerInterceptor({
      verifier: new JwtVerifier({ jwks, issuer: 'user.platform', audience: 'order-service' }),
      requiredRoles: { '/platform.order.v1.OrderService/ConfirmOrder': ['service'] },
    }),
  ],
});
server.addService(OrderServiceService, {
  getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
    console.log('called by', currentPrincipal());
    callback(null, GetOrderResponse.create({ order: null }));
  },
} as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const serviceToken = new RefreshingTokenProvider(async () => ({
  token: await new SignJWT({ roles: ['service'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setIssuer('user.platform')
    .setAudience('order-service')
    .setSubject('fulfillment-worker')
    .setExpirationTime('5m')
    .sign(privateKey),
  expiresAt: Date.now() + 5 * 60_000,
}));
const orders = createClient(OrderServiceClient, `127.0.0.1:${port}`, {
  interceptors: [authClientInterceptor({ provider: serviceToken })],
});
console.log(await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' })));
orders.close();
server.forceShutdown();
