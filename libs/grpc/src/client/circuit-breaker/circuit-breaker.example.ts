// A circuit breaker in front of a target that is down: after three failures in a row, calls
// fail at once with UNAVAILABLE / CIRCUIT_OPEN, telling the caller when to come back.
import { GetOrderRequest, OrderServiceClient } from '@platform/proto';
import { circuitBreakerClientInterceptor, ClientError, createClient, unaryCall } from '@platform/grpc';

// Nothing listens on port 1: every call that reaches the network fails UNAVAILABLE.
const orders = createClient(OrderServiceClient, '127.0.0.1:1', {
  interceptors: [
    circuitBreakerClientInterceptor({
      consecutiveFailures: 3,
      openMs: 10_000,
      onStateChange: (target, state, previous) => console.log(`${target}: ${previous} -> ${state}`),
    }),
  ],
});

for (let call = 1; call <= 5; call += 1) {
  try {
    await unaryCall(orders.getOrder.bind(orders), GetOrderRequest.create({ orderId: 'o-1' }));
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    const advice = error.retryDelayMs === undefined ? '' : `, retry in ${error.retryDelayMs} ms`;
    console.log(`call ${call}: ${error.message} (reason ${error.reason ?? 'none'}${advice})`);
  }
}
orders.close();
