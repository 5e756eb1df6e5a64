import { InterceptingCall, RequesterBuilder, status as GrpcStatus, type Interceptor } from '@grpc/grpc-js';
import { targetKeyOf } from '../channel/channel-scope.js';
import { failedCall } from '../channel/failed-call.js';
import { UnavailableError } from '@platform/core';
import type { CircuitBreakerOptions } from './circuit-breaker-options.js';
import { Circuit, type Admission, type CallVerdict } from './circuit.js';
import { statusOf } from '../../call/grpc-error-shape.js';

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

  return (callOptions, nextCall) => {
    const target = targetKeyOf(callOptions);
    const circuit = circuitOf(target);
    const admission = circuit.admit(now());
    if (!admission.admitted) return failedCall(rejection(target, admission, domain));

    const requester = new RequesterBuilder()
      .withStart((metadata, _listener, next) =>
        next(metadata, {
          onReceiveStatus: (status, nextStatus) => {
            circuit.record(admission.ticket, verdictOf(status.code), now());
            nextStatus(status);
          },
        }),
      )
      .build();
    return new InterceptingCall(nextCall(callOptions), requester);
  };
}
