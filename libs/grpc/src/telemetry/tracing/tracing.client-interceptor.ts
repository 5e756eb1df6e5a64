import type { Interceptor, Metadata, StatusObject } from '@grpc/grpc-js';
import {
  context as otelContext,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { clientStepInterceptor } from '../../chain/client-step-interceptor.js';
import type { ClientCallHooks, ClientStepCall } from '../../chain/client-step.js';
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
import type { RpcSemanticConventions, TracingClientOptions } from './tracing-options.js';

/** What every call's span needs, made once per interceptor. */
interface ClientSpans {
  readonly reporter: RpcSpanReporter;
  readonly conventions: RpcSemanticConventions;
  readonly metadataKeys: readonly string[];
  /** The `network.peer.*` attributes of each peer, parsed once: calls go to a few connections. */
  readonly peers: Map<string, Attributes>;
}

const maxPeers = 256;

function peerAttributesOf(spans: ClientSpans, peer: string): Attributes {
  let attributes = spans.peers.get(peer);
  if (!attributes) {
    attributes = peerAttributes(peer);
    if (spans.peers.size < maxPeers) spans.peers.set(peer, attributes);
  }
  return attributes;
}

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
  const selector = options.selector ?? allMethods;
  const spans: ClientSpans = {
    reporter: new RpcSpanReporter('client', conventions, options.tracerProvider),
    conventions,
    metadataKeys: recordableMetadataKeys(options.requestMetadataAttributes ?? []),
    peers: new Map(),
  };

  return clientStepInterceptor({
    name: 'tracing',
    open(call) {
      const { method } = call;
      if (!selector(method) || isGrpcInstrumentationClientSpanActive(method.path)) return undefined;
      return new ClientSpanHooks(spans, call, otelContext.active());
    },
  });
}

/** One call's span: the steps after tracing, and the call below, run in its context. */
class ClientSpanHooks implements ClientCallHooks {
  readonly activeContext: Context;
  readonly #spans: ClientSpans;
  readonly #call: ClientStepCall;
  readonly #span: Span;

  constructor(spans: ClientSpans, call: ClientStepCall, parent: Context) {
    this.#spans = spans;
    this.#call = call;
    this.#span = spans.reporter.open(call.method, parent);
    this.activeContext = trace.setSpan(parent, this.#span);
  }

  start(metadata: Metadata, next: (metadata: Metadata) => void): void {
    // The caller may reuse its Metadata object for other calls: each gets its own copy.
    const outgoing = metadata.clone();
    propagation.inject(this.activeContext, outgoing, metadataSetter);
    const { metadataKeys, conventions } = this.#spans;
    if (metadataKeys.length > 0)
      this.#span.setAttributes(rpcMetadataAttributes(outgoing, metadataKeys, conventions));
    otelContext.with(this.activeContext, next, undefined, outgoing);
  }

  onReceiveStatus(status: StatusObject, next: (status: StatusObject) => void): void {
    this.#spans.reporter.end(
      this.#span,
      status.code,
      status.details,
      peerAttributesOf(this.#spans, this.#call.getPeer()),
    );
    next(status);
  }
}
