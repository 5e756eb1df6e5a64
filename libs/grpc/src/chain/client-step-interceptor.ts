import type { Interceptor } from '@grpc/grpc-js';
import { withClientStep, type ClientStep } from './client-step.js';
import { fusedClientInterceptor } from './fused-client-interceptor.js';

/**
 * A client step as an interceptor of its own (a layer of one step), marked with the step so that
 * createClientChain can run it in one layer with its neighbours.
 */
export function clientStepInterceptor(step: ClientStep): Interceptor {
  return withClientStep(fusedClientInterceptor([step]), step);
}
