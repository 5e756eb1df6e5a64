import type { Metric, Registry } from 'prom-client';

/**
 * The metric `name` of `registry`, created by `create` (which registers it) unless already
 * there: several components of one process (or of one test) may share a registry and a metric.
 * Throws when the name is taken by a metric of another kind.
 */
export function registeredMetric<M extends Metric>(
  registry: Registry,
  kind: abstract new (...args: never[]) => M,
  name: string,
  create: () => M,
): M {
  const existing = registry.getSingleMetric(name);
  if (!existing) return create();
  if (!(existing instanceof kind)) {
    throw new Error(
      `Metric ${name} is already registered as a ${existing.constructor.name}, not a ${kind.name}`,
    );
  }
  return existing;
}
