import type { TracerProvider } from '@opentelemetry/api';
import type { MethodSelector } from '../../call/method-selector.js';

/**
 * Which OpenTelemetry RPC semantic conventions span attributes follow:
 * - `legacy`: `rpc.system`, `rpc.service`, `rpc.method` (short name), `rpc.grpc.status_code`
 *   (number), as most backends and the stock gRPC instrumentation still expect;
 * - `stable`: `rpc.system.name`, `rpc.method` (`package.Service/Method`), `rpc.status_code`
 *   (code name) and `error.type`, per semantic conventions 1.38+;
 * - `both`: every attribute of both, the stable `rpc.method` where the names collide.
 */
export type RpcSemanticConventions = 'legacy' | 'stable' | 'both';

/** Options shared by the server and client tracing interceptors. */
export interface TracingInterceptorOptions {
  /**
   * Where spans go. Defaults to the global tracer provider (the one `setupTracing` registers),
   * looked up per call, so interceptors may be built before tracing is set up.
   */
  tracerProvider?: TracerProvider;
  /**
   * Attribute naming. Defaults to the `OTEL_SEMCONV_STABILITY_OPT_IN` environment variable
   * (`rpc` for stable, `rpc/dup` for both), else `legacy`.
   */
  semanticConventions?: RpcSemanticConventions;
  /**
   * Request metadata keys recorded as span attributes (`rpc.grpc.request.metadata.<key>` or, in
   * the stable conventions, `rpc.request.metadata.<key>`). `authorization`, cookies and `-bin`
   * keys are never recorded, even when listed. Defaults to none.
   */
  requestMetadataAttributes?: readonly string[];
  /** Methods to trace. Defaults to every method. */
  selector?: MethodSelector;
}

/** Options of {@link tracingServerInterceptor}. */
export type TracingServerOptions = TracingInterceptorOptions;

/** Options of {@link tracingClientInterceptor}. */
export type TracingClientOptions = TracingInterceptorOptions;
