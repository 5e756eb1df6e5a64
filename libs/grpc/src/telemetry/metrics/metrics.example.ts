// Prometheus RED metrics of both sides of a call, scraped from the /metrics endpoint.
import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { contextInterceptor, metricsClientInterceptor, metricsServerInterceptor } from '@platform/grpc';
import { createMetricsRegistry, startMetricsServer } from '@platform/observability';
import {
  GetOrderRequest,
  OrderServiceClient,
  OrderServiceService,
  type OrderServiceServer,
} from '@platform/proto';

// One registry per process, shared by every interceptor and served on its own port.
const registry = createMetricsRegistry({ defaultLabels: { service: 'metrics-example' } });
const metricsServer = await startMetricsServer({ port: 0, host: '127.0.0.1', registry });

const getOrder: OrderServiceServer['getOrder'] = (call, callback) =>
  callback({ code: 5, details: `Order ${call.request.orderId} not found` });
const server = new Server({ interceptors: [contextInterceptor, metricsServerInterceptor({ registry })] });
server.addService(OrderServiceService, { getOrder });
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const client = new OrderServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), {
  interceptors: [metricsClientInterceptor({ registry })],
});
await new Promise((resolve) => client.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), resolve));

const scrape = await (await fetch(`http://127.0.0.1:${metricsServer.port}/metrics`)).text();
console.log(
  scrape
    .split('\n')
    .filter((line) => line.startsWith('grpc_server_handled_total'))
    .join('\n'),
);

client.close();
server.forceShutdown();
await metricsServer.close();
