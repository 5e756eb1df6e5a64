import {
  Metadata,
  status as GrpcStatus,
  type InterceptingListener,
  type InterceptorOptions,
  type NextCall,
  type StatusObject,
} from '@grpc/grpc-js';
import {
  context as otelContext,
  isSpanContextValid,
  propagation,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { MethodInfo } from '../../call/method-info.js';
import { judgeAttempt } from './attempt-verdict.js';
import type { RetryBudget } from './retry-budget.js';
import type { RetryMetrics } from './retry-metrics.js';

type CallInterface = ReturnType<NextCall>;
type MessageContext = Parameters<CallInterface['sendMessageWithContext']>[0];

/** Request header telling the server how many attempts preceded this one (gRFC A6). */
export const previousAttemptsKey = 'grpc-previous-rpc-attempts';

/** What every retrying call of one interceptor shares, resolved once. */
export interface RetryPolicy {
  /** Where attempt spans go. */
  readonly tracer: Tracer;
  readonly maxAttempts: number;
  /** The delay before retry number `retry` (counting from 1), jitter applied. */
  readonly backoffMs: (retry: number) => number;
  readonly metrics: RetryMetrics;
  /** Whether a call of `path` may be retried, from its request metadata. */
  readonly isRetryable: (path: string, metadata: Metadata) => boolean;
}

/** Everything a retrying call needs, resolved once per call by the interceptor. */
export interface RetryingCallSettings {
  readonly policy: RetryPolicy;
  readonly method: MethodInfo;
  readonly target: string;
  /** Absolute deadline, epoch milliseconds. */
  readonly deadline: number | undefined;
  readonly budget: RetryBudget;
  /** Makes each attempt's call (the rest of the chain toward the wire) with `options`. */
  readonly nextCall: NextCall;
  readonly options: InterceptorOptions;
}

/**
 * A unary or server-streaming call that replays its request on a new call after a failed
 * attempt. Nothing of a failed attempt reaches the caller: its response headers and (unary)
 * message are held until the attempt's outcome is known. A server stream is committed at its
 * first response message and never retried after it, so no message is ever buffered or
 * delivered twice.
 */
export class RetryingCall implements CallInterface {
  private listener: Partial<InterceptingListener> | undefined;
  // The caller's request metadata, from start on; each attempt sends a copy.
  private metadata: Metadata | undefined;
  private request: { context: MessageContext; message: unknown } | undefined;
  private halfClosed = false;
  private readPending = false;
  private current: CallInterface | undefined;
  private attempts = 0;
  // Retries since the last server pushback: a pushback resets the backoff (gRFC A6).
  private backoffRetries = 0;
  private retriesAllowed = false;
  private committed = false;
  private finished = false;
  private cancelled: StatusObject | undefined;
  private backoffTimer: NodeJS.Timeout | undefined;
  // The caller's context when the call was made (its client span, if tracing runs before
  // this interceptor): every attempt span is its child, even those started from a timer.
  private readonly parentContext: Context = otelContext.active();

  constructor(private readonly settings: RetryingCallSettings) {}

  start(metadata: Metadata, listener?: Partial<InterceptingListener>): void {
    this.metadata = metadata;
    this.retriesAllowed = this.settings.policy.isRetryable(this.settings.method.path, metadata);
    this.listener = listener;
    if (this.cancelled) return this.finish(this.cancelled);
    this.startAttempt();
  }

  sendMessageWithContext(context: MessageContext, message: unknown): void {
    this.request = { context, message };
    if (this.current && !this.backoffTimer) this.current.sendMessageWithContext(context, message);
  }

  sendMessage(message: unknown): void {
    this.sendMessageWithContext({}, message);
  }

  halfClose(): void {
    this.halfClosed = true;
    if (this.current && !this.backoffTimer) this.current.halfClose();
  }

  startRead(): void {
    this.readPending = true;
    if (this.current && !this.backoffTimer) this.current.startRead();
  }

  cancelWithStatus(code: GrpcStatus, details: string): void {
    this.cancelled = { code, details, metadata: new Metadata() };
    if (this.backoffTimer) {
      clearTimeout(this.backoffTimer);
      this.backoffTimer = undefined;
      const status = this.cancelled;
      process.nextTick(() => this.finish(status));
    } else {
      this.current?.cancelWithStatus(code, details);
    }
  }

  getPeer(): string {
    return this.current?.getPeer() ?? '';
  }

  getAuthContext(): ReturnType<CallInterface['getAuthContext']> {
    return this.current?.getAuthContext() ?? null;
  }

  private startAttempt(): void {
    this.backoffTimer = undefined;
    this.attempts += 1;
    const attempt = this.attempts;
    const { method } = this.settings;
    const metadata = this.metadata?.clone() ?? new Metadata();
    if (attempt > 1) metadata.set(previousAttemptsKey, String(attempt - 1));

    // Attempt spans only for calls that may have several attempts, under the call's span:
    // without one, each attempt would start a trace of its own.
    const parentSpan = trace.getSpanContext(this.parentContext);
    const traced = this.retriesAllowed && parentSpan !== undefined && isSpanContextValid(parentSpan);
    const span = traced
      ? startAttemptSpan(this.settings.policy.tracer, method, attempt, this.parentContext)
      : undefined;
    const attemptContext = span ? trace.setSpan(this.parentContext, span) : this.parentContext;
    // Each attempt carries its own span as the parent of the server's span.
    if (span)
      propagation.inject(attemptContext, metadata, { set: (carrier, key, value) => carrier.set(key, value) });
    const { nextCall, options } = this.settings;
    const call = otelContext.with(attemptContext, nextCall, undefined, options);
    this.current = call;

    let headers: Metadata | undefined;
    let unaryResponse: { message: unknown } | undefined;
    call.start(metadata, {
      onReceiveMetadata: (received) => {
        if (this.committed) this.listener?.onReceiveMetadata?.(received);
        else headers = received;
      },
      onReceiveMessage: (message) => {
        if (!method.responseStream) {
          unaryResponse = { message };
          return;
        }
        if (!this.committed) {
          this.committed = true;
          if (headers) this.listener?.onReceiveMetadata?.(headers);
        }
        this.readPending = false;
        this.listener?.onReceiveMessage?.(message);
      },
      onReceiveStatus: (status) => {
        if (span) endSpan(span, status);
        this.onAttemptEnded(status, () => {
          if (this.committed) return;
          if (headers) this.listener?.onReceiveMetadata?.(headers);
          if (unaryResponse) this.listener?.onReceiveMessage?.(unaryResponse.message);
        });
      },
    });
    if (attempt === 1) return;
    // A retry replays what the caller already did on the first attempt.
    if (this.request)
      this.current.sendMessageWithContext({ flags: this.request.context.flags }, this.request.message);
    if (this.halfClosed) this.current.halfClose();
    if (this.readPending) this.current.startRead();
  }

  private onAttemptEnded(status: StatusObject, deliverHeld: () => void): void {
    const { settings } = this;
    if (status.code === GrpcStatus.OK) {
      // An answer: no trailers to judge.
      settings.budget.recordSuccess();
      deliverHeld();
      this.finish(status);
      return;
    }
    const verdict = judgeAttempt(status);
    if (verdict.retryableCode) settings.budget.recordFailure();

    const delayMs = this.retryDelayMs(verdict);
    if (delayMs === undefined) {
      deliverHeld();
      this.finish(status);
      return;
    }
    settings.policy.metrics.retried(
      settings.method.service,
      settings.method.method,
      GrpcStatus[status.code] ?? String(status.code),
    );
    this.backoffTimer = setTimeout(() => this.startAttempt(), delayMs);
  }

  // The delay before the next attempt, or undefined when the call ends with this status.
  private retryDelayMs(verdict: ReturnType<typeof judgeAttempt>): number | undefined {
    const { settings } = this;
    if (!this.retriesAllowed || this.committed || this.cancelled || !verdict.retryableCode) {
      return undefined;
    }
    if (this.attempts >= settings.policy.maxAttempts || verdict.pushback === 'stop') return undefined;
    const backoffMs = verdict.pushback ?? settings.policy.backoffMs(this.backoffRetries + 1);
    const delayMs = Math.max(backoffMs, verdict.retryInfoDelayMs ?? 0);
    // Sleeping past the deadline would only turn this status into DEADLINE_EXCEEDED.
    if (settings.deadline !== undefined && Date.now() + delayMs >= settings.deadline) return undefined;
    if (!settings.budget.allowsRetry()) {
      settings.policy.metrics.budgetExhausted(settings.target);
      return undefined;
    }
    this.backoffRetries = verdict.pushback === undefined ? this.backoffRetries + 1 : 0;
    return delayMs;
  }

  private finish(status: StatusObject): void {
    if (this.finished) return;
    this.finished = true;
    this.listener?.onReceiveStatus?.(status);
  }
}

function startAttemptSpan(tracer: Tracer, method: MethodInfo, attempt: number, parent: Context): Span {
  return tracer.startSpan(
    `${method.service}/${method.method}`,
    {
      attributes: {
        'rpc.system': 'grpc',
        'rpc.service': method.service,
        'rpc.method': method.method,
        'grpc.attempt': attempt,
        'grpc.previous_rpc_attempts': attempt - 1,
      },
    },
    parent,
  );
}

function endSpan(span: Span, status: StatusObject): void {
  span.setAttribute('rpc.grpc.status_code', status.code);
  if (status.code !== GrpcStatus.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: status.details });
  span.end();
}
