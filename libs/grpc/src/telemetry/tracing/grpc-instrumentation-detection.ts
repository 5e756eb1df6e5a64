import { Server } from '@grpc/grpc-js';
import {
  context as otelContext,
  diag,
  SpanKind,
  trace,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';

/** Instrumentation scope of the spans of the stock @opentelemetry/instrumentation-grpc. */
const grpcInstrumentationScope = '@opentelemetry/instrumentation-grpc';

interface ShimmerWrapped {
  __wrapped?: unknown;
  __original?: unknown;
}

// The stock instrumentation patches grpc-js with shimmer, which marks each wrapper with
// `__wrapped` and keeps the original in `__original`: how OpenTelemetry's own `isWrapped`
// recognises its patches.
function isWrapped(fn: unknown): boolean {
  const wrapper = fn as ShimmerWrapped | undefined;
  return typeof fn === 'function' && wrapper?.__wrapped === true && typeof wrapper.__original === 'function';
}

let warnedAboutServers = false;

/**
 * Whether the stock instrumentation has patched `Server.prototype.register`: every handler
 * registered since runs inside a server span of its own, so a second one would duplicate it.
 * (Enable the instrumentation before services are registered, as it requires anyway.)
 */
export function grpcInstrumentationTracesServers(): boolean {
  const patched = isWrapped(Server.prototype.register);
  if (patched && !warnedAboutServers) {
    warnedAboutServers = true;
    diag.warn(
      '@platform/grpc: @opentelemetry/instrumentation-grpc has patched grpc-js servers, so it owns the server ' +
        'spans and the platform tracing interceptor opens none; calls rejected before their handler then have ' +
        'no span. Disable that instrumentation to get the platform server spans.',
    );
  }
  return patched;
}

interface SdkSpanShape {
  instrumentationScope?: { name?: string };
  kind?: SpanKind;
  name?: string;
  ended?: boolean;
}

/** The active span when it is the stock instrumentation's span of that kind for the method. */
function activeGrpcInstrumentationSpan(kind: SpanKind, path: string): (Span & SdkSpanShape) | undefined {
  const span = trace.getSpan(otelContext.active()) as (Span & SdkSpanShape) | undefined;
  const matches =
    span?.instrumentationScope?.name === grpcInstrumentationScope &&
    span.kind === kind &&
    span.name === `grpc.${path.replace(/^\//, '')}`;
  return matches ? span : undefined;
}

/**
 * Whether the active span is the stock instrumentation's client span for this very call. The
 * instrumentation wraps the client methods of clients created after it was enabled and creates
 * the call inside its span, having already injected that span into the metadata; clients
 * created earlier are not wrapped, so this is decided per call, not per process.
 */
export function isGrpcInstrumentationClientSpanActive(path: string): boolean {
  const span = activeGrpcInstrumentationSpan(SpanKind.CLIENT, path);
  return span !== undefined && span.ended !== true;
}

/**
 * The ids of the stock instrumentation's server span, when the handler's response is sent from
 * inside it (the handler runs in that span's context), so call logs still carry trace ids.
 */
export function activeGrpcInstrumentationServerSpan(path: string): SpanContext | undefined {
  return activeGrpcInstrumentationSpan(SpanKind.SERVER, path)?.spanContext();
}
