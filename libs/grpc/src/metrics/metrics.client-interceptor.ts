import { InterceptingCall, ListenerBuilder, RequesterBuilder, type Interceptor } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import { describeMethod } from '../call/method-info.js';
import { allMethods } from '../selector/method-selector.js';
import { codeName, grpcMetrics, methodLabelsOf } from './grpc-metrics.js';
import type { MetricsClientOptions } from './metrics-options.js';

/**
 * Client metrics interceptor: go-grpc-prometheus's client metrics (`grpc_client_started_total`,
 * `grpc_client_handled_total` by code name, `grpc_client_handling_seconds`, message counters).
 * It sits before retries in the chain, so a retried call counts once, with its final code;
 * attempts are the retry interceptor's metrics.
 */
export function metricsClientInterceptor(options: MetricsClientOptions): Interceptor {
  const metrics = grpcMetrics(options.registry, 'client', options.handlingSecondsBuckets);
  const selector = options.selector ?? allMethods;

  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const method = describeMethod(definition.path, definition.requestStream, definition.responseStream);
    if (!selector(method)) return new InterceptingCall(nextCall(callOptions));
    const labels = methodLabelsOf(method);

    const requester = new RequesterBuilder()
      .withStart((metadata, _listener, next) => {
        const startedAt = performance.now();
        metrics.started.inc(labels);
        const listener = new ListenerBuilder()
          .withOnReceiveMessage((message, nextMessage) => {
            metrics.messagesReceived.inc(labels);
            nextMessage(message);
          })
          .withOnReceiveStatus((status, nextStatus) => {
            metrics.handled.inc({ ...labels, grpc_code: codeName(status.code) });
            metrics.handlingSeconds.observe(labels, (performance.now() - startedAt) / 1000);
            nextStatus(status);
          })
          .build();
        next(metadata, listener);
      })
      .withSendMessage((message, next) => {
        metrics.messagesSent.inc(labels);
        next(message);
      })
      .build();
    return new InterceptingCall(nextCall(callOptions), requester);
  };
}
