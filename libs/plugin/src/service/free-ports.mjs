import { glob } from '@nx/devkit';

/** The platform's port scheme: gRPC from 50051 up, metrics from 9464 up, one of each per app. */
export const firstPorts = { grpc: 50_051, metrics: 9_464 };

// A port variable's default (`WORKER_METRICS_PORT: port().default(9_466)`), or a service's in its
// `servingVariables('ORDER', { grpcPort: 50_052, metricsPort: 9_465, … })`.
const defaultOf = (/** @type {string} */ suffix, /** @type {string} */ option) =>
  new RegExp(`(?:_${suffix}_PORT: port\\([^)]*\\)\\.default\\(|\\b${option}: )([\\d_]+)`, 'g');

/**
 * The gRPC and metrics ports the apps' configurations default to (`apps/*\/src/*.config.ts`).
 *
 * @param {import('@nx/devkit').Tree} tree
 */
export function portsInUse(tree) {
  /** @type {{ grpc: Set<number>, metrics: Set<number> }} */
  const used = { grpc: new Set(), metrics: new Set() };
  for (const file of glob(tree, ['apps/*/src/*.config.ts'])) {
    const text = tree.read(file, 'utf-8') ?? '';
    for (const [kind, suffix, option] of /** @type {const} */ ([
      ['grpc', 'GRPC', 'grpcPort'],
      ['metrics', 'METRICS', 'metricsPort'],
    ])) {
      for (const match of text.matchAll(defaultOf(suffix, option)))
        used[kind].add(Number(match[1].replaceAll('_', '')));
    }
  }
  return used;
}

/**
 * The new service's ports: `requested` (refused when another app has it) or the next gRPC port
 * after the highest in use, and the next metrics port.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {number | undefined} requested
 */
export function nextFreePorts(tree, requested) {
  const used = portsInUse(tree);
  const next = (/** @type {Set<number>} */ set, /** @type {number} */ first) =>
    set.size ? Math.max(...set) + 1 : first;
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1024 || requested > 65_535) {
      throw new Error(
        `Cannot add the service: --port ${requested} is not a port from 1024 to 65535. Nothing was written.`,
      );
    }
    if (used.grpc.has(requested) || used.metrics.has(requested)) {
      throw new Error(
        `Cannot add the service: port ${requested} is another app's default. Nothing was written.`,
      );
    }
  }
  return {
    grpcPort: requested ?? next(used.grpc, firstPorts.grpc),
    metricsPort: next(used.metrics, firstPorts.metrics),
  };
}
