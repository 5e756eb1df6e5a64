// One call traced end to end: the client's CLIENT span travels in `traceparent` and becomes the
// parent of the server's SERVER span. Spans print to the console; with OTEL_EXPORTER_OTLP_ENDPOINT
// set they are also exported over OTLP.
import { credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { contextInterceptor, tracingClientInterceptor, tracingServerInterceptor } from '@platform/grpc';
import { setupTracing } from '@platform/observability';
import {
  GetOrderRequest,
  OrderServiceClient,
  OrderServiceService,
  type OrderServiceServer,
} from '@platform/proto';

const tracing = setupTracing({
  serviceName: 'tracing-example',
  spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())],
});

const getOrder: OrderServiceServer['getOrder'] = (call, callback) =>
  callback({ code: 5, details: `Order ${call.request.orderId} not found` });
const server = new Server({ interceptors: [contextInterceptor, tracingServerInterceptor()] });
server.addService(OrderServiceService, { getOrder });
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const client = new OrderServiceClient(`127.0.0.1:${port}`, credentials.createInsecure(), {
  interceptors: [tracingClientInterceptor()],
});
await new Promise<void>((resolve) =>
  client.getOrder(GetOrderRequest.create({ orderId: 'o-1' }), (error) => {
    console.log(`GetOrder answered ${error?.code ?? 0}: the server span is not an error, the client span is`);
    resolve();
  }),
);

client.close();
server.forceShutdown();
await tracing.shutdown();
