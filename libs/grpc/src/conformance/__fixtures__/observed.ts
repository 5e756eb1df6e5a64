// What the conformance specs observe interceptors through: spans in memory (the process's
// tracing set up as a service sets it up), log lines captured as parsed JSON, and Prometheus
// counters read from a registry.
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { createLogger, setupTracing, type Logger, type Tracing } from '@platform/observability';
import type { Registry } from 'prom-client';
import type { MethodType } from '../../call/method-info.js';
import { requestIdKey } from './scripted-orders.js';

export type LogLine = Record<string, unknown>;

/** A logger whose lines are kept, parsed, in `lines`. */
export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: LogLine[];
  /** Lines of the call whose `x-request-id` is `requestId` (the loggers' default allowlist). */
  linesFor(requestId: string): LogLine[];
}

export function captureLogger(name: string): CapturedLogger {
  const lines: LogLine[] = [];
  const logger = createLogger({
    name,
    level: 'trace',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  });
  return {
    logger,
    lines,
    linesFor: (requestId) =>
      lines.filter(
        (line) =>
          (line['grpc.request.metadata'] as Record<string, unknown> | undefined)?.[requestIdKey] ===
          requestId,
      ),
  };
}

/**
 * The process's tracing as `setupTracing` sets it up (global provider, W3C propagation,
 * AsyncLocalStorage context), exporting to memory. One per spec file; shut it down after.
 */
export function traceToMemory(serviceName: string): { exporter: InMemorySpanExporter; tracing: Tracing } {
  const exporter = new InMemorySpanExporter();
  const tracing = setupTracing({ serviceName, env: {}, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracing };
}

export function spansOfKind(exporter: InMemorySpanExporter, kind: SpanKind): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.kind === kind);
}

export const orderService = 'platform.order.v1.OrderService';

/** The method of each kind, as `grpc_method` and span names have it. */
export const methodOfKind: Record<MethodType, string> = {
  unary: 'GetOrder',
  server_stream: 'WatchOrder',
  client_stream: 'ImportOrders',
  bidi_stream: 'TrackOrders',
};

export const callKinds: readonly MethodType[] = ['unary', 'server_stream', 'client_stream', 'bidi_stream'];

/** How test names call each kind. */
export const kindNames: Record<MethodType, string> = {
  unary: 'unary',
  server_stream: 'server stream',
  client_stream: 'client stream',
  bidi_stream: 'bidi',
};

/** `[name, kind]` pairs for `describe.each` / `it.each`, so the kind shows in test names. */
export const namedKinds = callKinds.map((kind) => [kindNames[kind], kind] as const);

/** The `grpc_type`, `grpc_service`, `grpc_method` labels of a kind's method. */
export function labelsOf(kind: MethodType): Record<string, string> {
  return { grpc_type: kind, grpc_service: orderService, grpc_method: methodOfKind[kind] };
}

/** Sum of a counter's series whose labels include `labels`; 0 when the counter does not exist. */
export async function counterValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}

/** Measures how much a counter grew while `action` ran. */
export async function counterGrowth(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
  action: () => Promise<unknown>,
): Promise<number> {
  const before = await counterValue(registry, name, labels);
  await action();
  return (await counterValue(registry, name, labels)) - before;
}
