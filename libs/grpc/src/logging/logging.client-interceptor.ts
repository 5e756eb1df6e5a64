import { InterceptingCall, ListenerBuilder, RequesterBuilder, type Interceptor } from '@grpc/grpc-js';
import { context as otelContext, isSpanContextValid, trace } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { describeMethod } from '../call/method-info.js';
import { allMethods } from '../selector/method-selector.js';
import {
  defaultMetadataAllowlist,
  durationMs,
  metadataFields,
  methodFields,
  statusFields,
} from './call-log-fields.js';
import { defaultCallLogLevel } from './default-call-log-level.js';
import type { LoggingClientOptions } from './logging-options.js';
import { recordableMetadataKeys } from './sensitive-metadata.js';

/**
 * Client logging interceptor: one structured line per outgoing call, when it ends, with the
 * method, the final code by name, the duration, the peer, the trace and span ids active when the
 * call was made (the client span, with the tracing interceptor before this one) and allowlisted
 * outgoing metadata. Placed before retries, it logs a retried call once.
 */
export function loggingClientInterceptor(options: LoggingClientOptions): Interceptor {
  const levelFor = options.levelFor ?? defaultCallLogLevel;
  const metadataKeys = recordableMetadataKeys(options.metadataAllowlist ?? defaultMetadataAllowlist);
  const selector = options.selector ?? allMethods;

  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const method = describeMethod(definition.path, definition.requestStream, definition.responseStream);
    if (!selector(method)) return new InterceptingCall(nextCall(callOptions));
    const spanContext = trace.getSpan(otelContext.active())?.spanContext();
    const traceFields =
      spanContext && isSpanContextValid(spanContext)
        ? { trace_id: spanContext.traceId, span_id: spanContext.spanId }
        : {};

    const requester = new RequesterBuilder()
      .withStart((metadata, _listener, next) => {
        const startedAt = performance.now();
        const logged = metadataFields(metadata, metadataKeys);
        const listener = new ListenerBuilder()
          .withOnReceiveStatus((status, nextStatus) => {
            const level = levelFor(status.code, method);
            if (level !== 'silent') {
              options.logger[level](
                {
                  ...methodFields('client', method),
                  ...statusFields(status.code, status.details),
                  duration_ms: durationMs(startedAt, performance.now()),
                  peer: call.getPeer(),
                  ...traceFields,
                  ...logged,
                },
                'finished call',
              );
            }
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
