import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import type { Logger, LoggerOptions } from './logger-options.js';

/** Keys never written as they are: credentials, at the top level and one level down. */
export const redactedPaths: readonly string[] = [
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
];

/** The ids of the span active where the line is written, so logs join their trace. */
function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  const spanContext = span?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * A JSON logger: ISO `time`, `level` as its name (`"info"`), `trace_id`/`span_id` of the active
 * OpenTelemetry span on every line written inside one, credentials redacted.
 * Fields given explicitly on a line win over the active span's ids.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: activeTraceIds,
      redact: { paths: [...redactedPaths], censor: '[REDACTED]' },
    },
    options.destination,
  );
}
