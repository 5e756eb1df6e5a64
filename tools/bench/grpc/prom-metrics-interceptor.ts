import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';

/** A prom-client server interceptor as a team writes one: calls and their duration per method and code. */
export function promMetricsInterceptor(registry: Registry): ServerInterceptor {
  const labelNames = ['grpc_method', 'grpc_code'] as const;
  const handled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'RPCs completed on the server.',
    labelNames,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'RPC duration on the server.',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (method, call) => {
    const started = performance.now();
    return new ServerInterceptingCall(call, {
      sendStatus: (statusObject, next) => {
        const labels = { grpc_method: method.path, grpc_code: status[statusObject.code] };
        handled.inc(labels);
        seconds.observe(labels, (performance.now() - started) / 1000);
        next(statusObject);
      },
    });
  };
}
