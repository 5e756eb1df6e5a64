import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { MethodInfo } from '../../call/method-info.js';
import {
  rpcSpanName,
  rpcStartAttributes,
  rpcStatusAttributes,
  serverErrorCodes,
} from './rpc-span-attributes.js';
import type { RpcSemanticConventions } from './tracing-options.js';

/** Instrumentation scope of the platform's gRPC spans. */
export const tracerName = '@platform/grpc';

/**
 * The one span reporter both tracing interceptors open and end their spans through, so a server
 * span and a client span have the same name, attributes and status rules. A server span fails
 * only on the server's own faults (OTel's RPC conventions); a client span on any code but OK.
 */
export class RpcSpanReporter {
  readonly #side: 'server' | 'client';
  readonly #conventions: RpcSemanticConventions;
  readonly #provider: TracerProvider | undefined;
  // Made once: per provider (the global one changes when tracing is set up again), per method,
  // per final code. Spans are opened and ended on every call.
  #tracerOf: { provider: TracerProvider; tracer: Tracer } | undefined;
  readonly #methods = new Map<string, { name: string; attributes: Attributes }>();
  readonly #statuses = new Map<number, Attributes>();

  constructor(side: 'server' | 'client', conventions: RpcSemanticConventions, provider?: TracerProvider) {
    this.#side = side;
    this.#conventions = conventions;
    this.#provider = provider;
  }

  /**
   * Opens the call's span as a child of `parent`, with the method's attributes and `attributes`
   * (which it adds the method's to: pass an object of the call's own).
   */
  open(method: MethodInfo, parent: Context, attributes: Attributes = {}): Span {
    const provider = this.#provider ?? trace.getTracerProvider();
    if (this.#tracerOf?.provider !== provider)
      this.#tracerOf = { provider, tracer: provider.getTracer(tracerName) };
    let described = this.#methods.get(method.path);
    if (!described) {
      described = { name: rpcSpanName(method), attributes: rpcStartAttributes(method, this.#conventions) };
      this.#methods.set(method.path, described);
    }
    Object.assign(attributes, described.attributes);
    const kind = this.#side === 'server' ? SpanKind.SERVER : SpanKind.CLIENT;
    return this.#tracerOf.tracer.startSpan(described.name, { kind, attributes }, parent);
  }

  /** Ends `span` with the call's final code (and `attributes` known only at the end). */
  end(span: Span, code: number, details: string | undefined, attributes?: Attributes): void {
    const failed = this.#side === 'server' ? serverErrorCodes.has(code) : code !== GrpcStatus.OK;
    let status = this.#statuses.get(code);
    if (!status) {
      status = rpcStatusAttributes(code, failed, this.#conventions);
      // The 17 codes gRPC defines; a peer may send any number, which is not kept.
      if (code in GrpcStatus) this.#statuses.set(code, status);
    }
    span.setAttributes(status);
    if (attributes) span.setAttributes(attributes);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: details });
    span.end();
  }
}
