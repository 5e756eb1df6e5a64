import { status as GrpcStatus, type Interceptor, type StatusObject } from '@grpc/grpc-js';
import { clientStepInterceptor } from '../../chain/client-step-interceptor.js';
import type { ClientCallHooks } from '../../chain/client-step.js';
import { targetKeyOf } from '../channel/channel-scope.js';
import { UnavailableError } from '@platform/core';
import type { CircuitBreakerOptions } from './circuit-breaker-options.js';
import { Circuit, type Admission, type CallVerdict } from './circuit.js';
import { statusOf } from '../../call/grpc-error-shape.js';

type Ticket = Extract<Admission, { admitted: true }>['ticket'];

const defaultFailureCodes: readonly GrpcStatus[] = [
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNKNOWN,
  GrpcStatus.DATA_LOSS,
];

function rejection(target: string, admission: Exclude<Admission, { admitted: true }>, domain: string) {
  const error =
    admission.state === 'open'
      ? new UnavailableError(`Circuit open for ${target}: failing fast`, {
          reason: 'CIRCUIT_OPEN',
          domain,
          metadata: { target },
          retryDelayMs: admission.retryAfterMs,
        })
      : new UnavailableError(`Circuit half-open for ${target}: probe calls in flight`, {
          reason: 'CIRCUIT_HALF_OPEN',
          domain,
          metadata: { target },
        });
  // The retry interceptor must not wait out the open interval and turn a fail-fast answer
  // into a slow probe: a negative pushback means "do not retry" (gRFC A6).
  const status = statusOf(error);
  status.metadata.set('grpc-retry-pushback-ms', '-1');
  return status;
}

/**
 * Client circuit breaker, last before the wire so each retry attempt counts. Per target
 * (channel target from createClient, else the service), it opens after `consecutiveFailures`
 * failures in a row or a `failureRatio` over `windowMs`; while open, calls fail at once with
 * UNAVAILABLE (ErrorInfo reason CIRCUIT_OPEN, RetryInfo = time until half-open) without
 * touching the network; after `openMs`, `halfOpenProbes` probe calls go through: their success
 * closes the circuit, a failure opens it again.
 */
export function circuitBreakerClientInterceptor(options: CircuitBreakerOptions = {}): Interceptor {
  const now = options.now ?? Date.now;
  const domain = options.domain ?? 'circuit-breaker.platform';
  const failureCodes = new Set(options.failureCodes ?? defaultFailureCodes);
  const verdictOf = (code: GrpcStatus): CallVerdict =>
    code === GrpcStatus.CANCELLED ? 'ignored' : failureCodes.has(code) ? 'failure' : 'success';
  const circuits = new Map<string, Circuit>();
  const circuitOf = (target: string) => {
    let circuit = circuits.get(target);
    if (!circuit) {
      circuit = new Circuit({
        consecutiveFailures: options.consecutiveFailures ?? 5,
        failureRatio: options.failureRatio ?? 0.5,
        minimumCalls: options.minimumCalls ?? 20,
        windowMs: options.windowMs ?? 10_000,
        openMs: options.openMs ?? 5_000,
        halfOpenProbes: options.halfOpenProbes ?? 1,
        onStateChange: (state, previous) => options.onStateChange?.(target, state, previous),
      });
      circuits.set(target, circuit);
    }
    return circuit;
  };

  return clientStepInterceptor({
    name: 'circuitBreaker',
    open(call) {
      const target = targetKeyOf(call.options);
      const circuit = circuitOf(target);
      const admission = circuit.admit(now());
      if (admission.admitted) return new JudgedCall(circuit, admission.ticket, verdictOf, now);
      call.fail(rejection(target, admission, domain));
      return undefined;
    },
  });
}

/** One admitted call (one attempt, after retry): its outcome is recorded with its ticket. */
class JudgedCall implements ClientCallHooks {
  constructor(
    private readonly circuit: Circuit,
    private readonly ticket: Ticket,
    private readonly verdictOf: (code: GrpcStatus) => CallVerdict,
    private readonly now: () => number,
  ) {}

  onReceiveStatus(status: StatusObject, next: (status: StatusObject) => void): void {
    this.circuit.record(this.ticket, this.verdictOf(status.code), this.now());
    next(status);
  }
}
