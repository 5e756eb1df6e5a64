// Circuit breaker: per-target fail-fast while a target keeps failing, with half-open probes.
export { circuitBreakerClientInterceptor } from './circuit-breaker.interceptor.js';
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker-options.js';
