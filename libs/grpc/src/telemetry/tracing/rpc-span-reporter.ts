import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
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

  constructor(side: 'server' | 'client', conventions: RpcSemanticConventions, provider?: TracerProvider) {
    this.#side = side;
    this.#conventions = conventions;
    this.#provider = provider;
  }

  /** Opens the call's span as a child of `parent`, with the method's attributes and `attributes`. */
  open(method: MethodInfo, parent: Context, attributes: Attributes = {}): Span {
    const tracer = (this.#provider ?? trace.getTracerProvider()).getTracer(tracerName);
    return tracer.startSpan(
      rpcSpanName(method),
      {
        kind: this.#side === 'server' ? SpanKind.SERVER : SpanKind.CLIENT,
        attributes: { ...rpcStartAttributes(method, this.#conventions), ...attributes },
      },
      parent,
    );
  }

  /** Ends `span` with the call's final code (and `attributes` known only at the end). */
  end(span: Span, code: number, details: string | undefined, attributes: Attributes = {}): void {
    const failed = this.#side === 'server' ? serverErrorCodes.has(code) : code !== GrpcStatus.OK;
    span.setAttributes({ ...rpcStatusAttributes(code, failed, this.#conventions), ...attributes });
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: details });
    span.end();
  }
}
