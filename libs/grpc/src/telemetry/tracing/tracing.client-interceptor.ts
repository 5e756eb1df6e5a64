import { InterceptingCall, ListenerBuilder, RequesterBuilder, type Interceptor } from '@grpc/grpc-js';
import { context as otelContext, propagation, trace } from '@opentelemetry/api';
import { describeMethod } from '../../call/method-info.js';
import { recordableMetadataKeys } from '../logging/sensitive-metadata.js';
import { allMethods } from '../../call/method-selector.js';
import { isGrpcInstrumentationClientSpanActive } from './grpc-instrumentation-detection.js';
import { metadataSetter } from './metadata-carrier.js';
import {
  peerAttributes,
  rpcMetadataAttributes,
  rpcSemanticConventionsFromEnv,
} from './rpc-span-attributes.js';
import { RpcSpanReporter } from './rpc-span-reporter.js';
import type { TracingClientOptions } from './tracing-options.js';

/**
 * Client tracing interceptor: one CLIENT span per call, child of the active context (the
 * server span when called from a handler), its W3C trace context and baggage injected into
 * the outgoing metadata. Any code but OK marks it failed. It sits before retries in the chain,
 * so a retried call is one span.
 *
 * When the stock @opentelemetry/instrumentation-grpc already traces the call (clients created
 * after it was enabled), its client span is active here and already propagated; this
 * interceptor then adds none, so there is exactly one client span per call.
 */
export function tracingClientInterceptor(options: TracingClientOptions = {}): Interceptor {
  const conventions = options.semanticConventions ?? rpcSemanticConventionsFromEnv();
  const metadataKeys = recordableMetadataKeys(options.requestMetadataAttributes ?? []);
  const selector = options.selector ?? allMethods;
  const spans = new RpcSpanReporter('client', conventions, options.tracerProvider);

  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const method = describeMethod(definition.path, definition.requestStream, definition.responseStream);
    if (!selector(method) || isGrpcInstrumentationClientSpanActive(definition.path))
      return new InterceptingCall(nextCall(callOptions));

    const parent = otelContext.active();
    const span = spans.open(method, parent);
    const active = trace.setSpan(parent, span);

    const requester = new RequesterBuilder()
      .withStart((metadata, _listener, next) => {
        // The caller may reuse its Metadata object for other calls: each gets its own copy.
        const outgoing = metadata.clone();
        propagation.inject(active, outgoing, metadataSetter);
        span.setAttributes(rpcMetadataAttributes(outgoing, metadataKeys, conventions));
        const statusListener = new ListenerBuilder()
          .withOnReceiveStatus((status, nextStatus) => {
            spans.end(span, status.code, status.details, peerAttributes(call.getPeer()));
            nextStatus(status);
          })
          .build();
        otelContext.with(active, () => next(outgoing, statusListener));
      })
      .build();
    const call = new InterceptingCall(
      otelContext.with(active, () => nextCall(callOptions)),
      requester,
    );
    return call;
  };
}
