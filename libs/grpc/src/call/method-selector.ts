import type { MethodInfo } from './method-info.js';

/**
 * Decides whether an interceptor applies to a method (go-grpc-middleware's selector concern):
 * filtering is its own function, not a flag on every interceptor.
 */
export type MethodSelector = (method: MethodInfo) => boolean;

/** Every method. */
export const allMethods: MethodSelector = () => true;

/** Methods named by full path (`/pkg.Service/Method`) or by fully qualified service. */
export function methodsIn(...pathsOrServices: string[]): MethodSelector {
  const names = new Set(pathsOrServices);
  return (method) => names.has(method.path) || names.has(method.service);
}

/** The complement of a selector. */
export function not(selector: MethodSelector): MethodSelector {
  return (method) => !selector(method);
}

/** Methods any of the selectors select. */
export function anyOf(...selectors: MethodSelector[]): MethodSelector {
  return (method) => selectors.some((selector) => selector(method));
}

/** grpc.health.v1 and server reflection (v1 and v1alpha): infrastructure, never authenticated. */
export const infrastructureMethods: MethodSelector = methodsIn(
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
);
