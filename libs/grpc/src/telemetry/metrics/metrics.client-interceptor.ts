import { InterceptingCall, ListenerBuilder, RequesterBuilder, type Interceptor } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { describeMethod } from '../../call/method-info.js';
import { allMethods } from '../../call/method-selector.js';
import { MethodMeters } from './method-meters.js';
import type { MetricsClientOptions } from './metrics-options.js';

/**
 * Client metrics interceptor: go-grpc-prometheus's client metrics (`grpc_client_started_total`,
 * `grpc_client_handled_total` by code name, `grpc_client_handling_seconds`, message counters).
 * It sits before retries in the chain, so a retried call counts once, with its final code;
 * attempts are the retry interceptor's metrics.
 */
export function metricsClientInterceptor(options: MetricsClientOptions): Interceptor {
  const meters = new MethodMeters(options.registry, 'client', options.handlingSecondsBuckets);
  const selector = options.selector ?? allMethods;

  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const method = describeMethod(definition.path, definition.requestStream, definition.responseStream);
    if (!selector(method)) return new InterceptingCall(nextCall(callOptions));
    const meter = meters.of(method);

    const requester = new RequesterBuilder()
      .withStart((metadata, _listener, next) => {
        const startedAt = performance.now();
        meter.started();
        const listener = new ListenerBuilder()
          .withOnReceiveMessage((message, nextMessage) => {
            meter.received();
            nextMessage(message);
          })
          .withOnReceiveStatus((status, nextStatus) => {
            meter.handled(status.code, (performance.now() - startedAt) / 1000);
            nextStatus(status);
          })
          .build();
        next(metadata, listener);
      })
      .withSendMessage((message, next) => {
        meter.sent();
        next(message);
      })
      .build();
    return new InterceptingCall(nextCall(callOptions), requester);
  };
}
