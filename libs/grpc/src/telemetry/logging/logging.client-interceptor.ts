import type { Interceptor, Metadata, StatusObject } from '@grpc/grpc-js';
import { context as otelContext, isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { clientStepInterceptor } from '../../chain/client-step-interceptor.js';
import type { ClientCallHooks, ClientStepCall } from '../../chain/client-step.js';
import { allMethods } from '../../call/method-selector.js';
import { callLogReporter, type FinishedCall } from './call-log-reporter.js';
import type { LoggingClientOptions } from './logging-options.js';

type Report = (call: FinishedCall) => void;

/**
 * Client logging interceptor: one structured line per outgoing call, when it ends
 * ({@link callLogReporter}), with the trace and span ids active when the call was made (the client
 * span, with the tracing interceptor before this one) and allowlisted outgoing metadata. Placed
 * before retries, it logs a retried call once.
 */
export function loggingClientInterceptor(options: LoggingClientOptions): Interceptor {
  const report = callLogReporter(options, 'client');
  const selector = options.selector ?? allMethods;

  return clientStepInterceptor({
    name: 'logging',
    open(call) {
      if (!selector(call.method)) return undefined;
      const spanContext = trace.getSpan(otelContext.active())?.spanContext();
      return new LoggedCall(
        report,
        call,
        spanContext && isSpanContextValid(spanContext) ? spanContext : undefined,
      );
    },
  });
}

/** One call's log line, written when it ends. */
class LoggedCall implements ClientCallHooks {
  readonly #report: Report;
  readonly #call: ClientStepCall;
  readonly #trace: SpanContext | undefined;
  #startedAt = 0;
  #metadata: Metadata | undefined;

  constructor(report: Report, call: ClientStepCall, callTrace: SpanContext | undefined) {
    this.#report = report;
    this.#call = call;
    this.#trace = callTrace;
  }

  start(metadata: Metadata, next: (metadata: Metadata) => void): void {
    this.#startedAt = performance.now();
    this.#metadata = metadata;
    next(metadata);
  }

  onReceiveStatus(status: StatusObject, next: (status: StatusObject) => void): void {
    this.#report({
      method: this.#call.method,
      code: status.code,
      details: status.details,
      startedAt: this.#startedAt,
      peer: this.#call.getPeer(),
      metadata: this.#metadata,
      trace: this.#trace,
    });
    next(status);
  }
}
