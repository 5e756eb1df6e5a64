import type { Interceptor } from '@grpc/grpc-js';
import type { ClientStep } from './client-step.js';
import { FusedClientCall } from './fused-client-call.js';

/**
 * One grpc-js client interceptor that runs `steps` (application side first) as hooks of a single
 * layer ({@link FusedClientCall}): what each step does, and in which order, is what the same
 * steps do as interceptors of their own in that order.
 */
export function fusedClientInterceptor(steps: readonly ClientStep[]): Interceptor {
  return (options, nextCall) => new FusedClientCall(options).open(steps, nextCall);
}
