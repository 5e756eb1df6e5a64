import {
  ResponderBuilder,
  ServerListenerBuilder,
  type Metadata,
  type Responder,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import {
  context as otelContext,
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { ATTR_NETWORK_PEER_ADDRESS, ATTR_NETWORK_PEER_PORT } from '@opentelemetry/semantic-conventions';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import type { CallContext } from '../../server/context/call-context.js';
import { recordableMetadataKeys } from '../logging/sensitive-metadata.js';
import {
  activeGrpcInstrumentationServerSpan,
  grpcInstrumentationTracesServers,
} from './grpc-instrumentation-detection.js';
import { metadataGetter } from './metadata-carrier.js';
import {
  peerAttributes,
  rpcMetadataAttributes,
  rpcSemanticConventionsFromEnv,
} from './rpc-span-attributes.js';
import { RpcSpanReporter } from './rpc-span-reporter.js';
import type { TracingServerOptions } from './tracing-options.js';

/**
 * Server tracing interceptor: one SERVER span per call, child of the caller's span when the
 * metadata carries W3C trace context (read with the global propagator). It opens on arrival,
 * before auth and rate limiting, so rejected calls are traced too, and ends with the status the
 * client got. The rest of the chain and the handler run with the span active, and the call
 * context holds its ids for logs.
 *
 * When the stock @opentelemetry/instrumentation-grpc has patched grpc-js, that instrumentation
 * already opens a server span around each handler, and the handler runs inside it; this
 * interceptor then opens none, so there is exactly one server span per handled call, and only
 * records that span's ids in the call context when the handler responds from inside it.
 */
export function tracingServerInterceptor(options: TracingServerOptions = {}): ServerInterceptor {
  const conventions = options.semanticConventions ?? rpcSemanticConventionsFromEnv();
  const metadataKeys = recordableMetadataKeys(options.requestMetadataAttributes ?? []);
  const spans = new RpcSpanReporter('server', conventions, options.tracerProvider);

  return createServerInterceptor(
    'tracing',
    (callContext, wire) => {
      if (grpcInstrumentationTracesServers()) return adoptGrpcInstrumentationSpan(callContext);
      const { remoteAddress, remotePort } = wire.getConnectionInfo();
      let span: Span | undefined;
      let active: Context | undefined;

      const open = (metadata: Metadata | undefined): Context => {
        // A new call never continues whatever context grpc-js's socket callback happens to carry.
        const parent = metadata ? propagation.extract(ROOT_CONTEXT, metadata, metadataGetter) : ROOT_CONTEXT;
        const attributes =
          remoteAddress && remotePort !== undefined
            ? { [ATTR_NETWORK_PEER_ADDRESS]: remoteAddress, [ATTR_NETWORK_PEER_PORT]: remotePort }
            : peerAttributes(callContext.peer);
        if (metadata && metadataKeys.length > 0)
          Object.assign(attributes, rpcMetadataAttributes(metadata, metadataKeys, conventions));
        span = spans.open(callContext.method, parent, attributes);
        const { traceId, spanId } = span.spanContext();
        callContext.trace = { traceId, spanId };
        return (active = trace.setSpan(parent, span));
      };

      callContext.onEnd((outcome) => {
        if (!span) open(undefined); // ended (cancelled) before its metadata got here
        if (span) spans.end(span, outcome.code, outcome.details);
      });

      const listener = new ServerListenerBuilder()
        .withOnReceiveMetadata((metadata, next) => otelContext.with(open(metadata), () => next(metadata)))
        .withOnReceiveMessage((message, next) =>
          otelContext.with(active ?? otelContext.active(), () => next(message)),
        )
        .withOnReceiveHalfClose((next) => otelContext.with(active ?? otelContext.active(), next))
        .build();
      return new ResponderBuilder().withStart((next) => next(listener)).build();
    },
    options.selector,
  );
}

function adoptGrpcInstrumentationSpan(callContext: CallContext): Responder {
  const adopt = () => {
    const spanContext = callContext.trace
      ? undefined
      : activeGrpcInstrumentationServerSpan(callContext.method.path);
    if (spanContext) callContext.trace = { traceId: spanContext.traceId, spanId: spanContext.spanId };
  };
  return new ResponderBuilder()
    .withSendMessage((message, next) => {
      adopt();
      next(message);
    })
    .withSendStatus((status, next) => {
      adopt();
      next(status);
    })
    .build();
}
