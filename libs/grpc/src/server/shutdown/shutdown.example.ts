// SIGTERM -> NOT_SERVING -> refuse new calls -> let requests finish -> end streams with
// UNAVAILABLE (clients reconnect elsewhere) -> force after the bound.
import * as grpc from '@grpc/grpc-js';
import {
  contextInterceptor,
  errorInterceptor,
  gracefulShutdown,
  HealthService,
  InFlightCalls,
  shutdownInterceptor,
} from '@platform/grpc';
import { OrderServiceService, serviceNames, WatchOrderResponse } from '@platform/proto';

const inFlight = new InFlightCalls();
const health = new HealthService({ services: [serviceNames.order] });
const server = new grpc.Server({
  // In a service, createServerChain() builds this list; shutdown sits right after errors.
  interceptors: [
    contextInterceptor,
    errorInterceptor({ domain: 'order.platform' }),
    shutdownInterceptor(inFlight),
  ],
});
server.addService(OrderServiceService, {
  // A stream that never ends on its own: the shutdown ends it with UNAVAILABLE.
  watchOrder: (call: grpc.ServerWritableStream<unknown, WatchOrderResponse>) =>
    call.write(WatchOrderResponse.create({ order: null })),
} as grpc.UntypedServiceImplementation);
health.addToServer(server);

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  console.log(`serving on 127.0.0.1:${port}; send SIGTERM to stop`);
});

process.once('SIGTERM', () => {
  void gracefulShutdown(server, {
    inFlight,
    health,
    drainTimeoutMs: 10_000,
    onStep: (step) => console.log(`shutdown: ${step.name} after ${step.elapsedMs} ms`, step.inFlight),
  }).then((result) => process.exit(result.forced ? 1 : 0));
});
