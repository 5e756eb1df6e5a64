import { InterceptingCall, ListenerBuilder, RequesterBuilder, type Interceptor } from '@grpc/grpc-js';
import { context as otelContext, isSpanContextValid, trace } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { describeMethod } from '../../call/method-info.js';
import { allMethods } from '../../call/method-selector.js';
import { callLogReporter } from './call-log-reporter.js';
import type { LoggingClientOptions } from './logging-options.js';

/**
 * Client logging interceptor: one structured line per outgoing call, when it ends
 * ({@link callLogReporter}), with the trace and span ids active when the call was made (the client
 * span, with the tracing interceptor before this one) and allowlisted outgoing metadata. Placed
 * before retries, it logs a retried call once.
 */
export function loggingClientInterceptor(options: LoggingClientOptions): Interceptor {
  const report = callLogReporter(options, 'client');
  const selector = options.selector ?? allMethods;

  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const method = describeMethod(definition.path, definition.requestStream, definition.responseStream);
    if (!selector(method)) return new InterceptingCall(nextCall(callOptions));
    const spanContext = trace.getSpan(otelContext.active())?.spanContext();
    const callTrace = spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;

    const requester = new RequesterBuilder()
      .withStart((metadata, _listener, next) => {
        const startedAt = performance.now();
        const listener = new ListenerBuilder()
          .withOnReceiveStatus((status, nextStatus) => {
            report({
              method,
              code: status.code,
              details: status.details,
              startedAt,
              peer: call.getPeer(),
              metadata,
              trace: callTrace,
            });
            nextStatus(status);
          })
          .build();
        next(metadata, listener);
      })
      .build();
    const call = new InterceptingCall(nextCall(callOptions), requester);
    return call;
  };
}
