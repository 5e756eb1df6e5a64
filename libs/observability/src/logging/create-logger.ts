import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import type { Logger, LoggerOptions } from './logger-options.js';
import { redactCredentials } from './redact-credentials.js';

const noIds: Readonly<{ trace_id?: string; span_id?: string }> = Object.freeze({});

/**
 * The ids of the span active where the line is written, so logs join their trace; nothing when
 * the line names its own (as the gRPC call lines do) or no span is active.
 */
function activeTraceIds(fields: object): { trace_id?: string; span_id?: string } {
  if ('trace_id' in fields) return noIds;
  const span = trace.getSpan(context.active());
  const spanContext = span?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return noIds;
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** pino's merge (the line's fields win), without copying the line when there is nothing to add. */
function mergeTraceIds(fields: object, ids: object): object {
  return ids === noIds ? fields : Object.assign(ids, fields);
}

/**
 * A JSON logger: ISO `time`, `level` as its name (`"info"`), `trace_id`/`span_id` of the active
 * OpenTelemetry span on every line written inside one, credentials redacted.
 * Fields given explicitly on a line win over the active span's ids. Each line is written to
 * stdout before the call returns, so none is lost to `process.exit`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const logger = pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: redactCredentials },
      mixin: activeTraceIds,
      mixinMergeStrategy: mergeTraceIds,
    },
    // Synchronous writes to stdout: pino's default writes from libuv's thread pool, and a write
    // still in flight there is lost when the process exits (pino's exit hook flushes only what is
    // still buffered); on a busy machine that was a service's `stopped` line after SIGTERM.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  // pino formats a child's bindings with no formatter of the parent's: redact them on the way in.
  // Children are made from their parent's prototype, so theirs inherit this.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactCredentials(bindings), childOptions);
  } as Logger['child'];
  return logger;
}
