import { ResponderBuilder, ServerListenerBuilder, type ServerInterceptor } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import { callsWithoutDeadline, methodLabelsOf } from './grpc-metrics.js';
import { MethodMeters } from './method-meters.js';
import type { MetricsServerOptions } from './metrics-options.js';

/**
 * Server metrics interceptor: go-grpc-prometheus's server metrics (`grpc_server_started_total`,
 * `grpc_server_handled_total` by code name, `grpc_server_handling_seconds`, message counters)
 * plus `grpc_server_calls_without_deadline_total`. It sits before the error, auth and rate-limit
 * interceptors, so it counts the final code of every call, rejected ones included.
 */
export function metricsServerInterceptor(options: MetricsServerOptions): ServerInterceptor {
  const meters = new MethodMeters(options.registry, 'server', options.handlingSecondsBuckets);
  const withoutDeadline = callsWithoutDeadline(options.registry);

  return createServerInterceptor(
    'metrics',
    (context) => {
      const meter = meters.of(context.method);
      meter.started();
      // Read here, while it is still the caller's: the deadline interceptor, later in the chain,
      // fills in a default.
      if (context.deadline === undefined) withoutDeadline.inc(methodLabelsOf(context.method));
      context.onEnd((outcome) => meter.handled(outcome.code, (performance.now() - context.startedAt) / 1000));

      const listener = new ServerListenerBuilder()
        .withOnReceiveMessage((message, next) => {
          meter.received();
          next(message);
        })
        .build();
      return new ResponderBuilder()
        .withStart((next) => next(listener))
        .withSendMessage((message, next) => {
          meter.sent();
          next(message);
        })
        .build();
    },
    options.selector,
  );
}
