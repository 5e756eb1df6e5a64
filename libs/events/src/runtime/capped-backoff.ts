/**
 * The delay before try number `attempt` (from 1) after failures: `firstMs` doubling up to `maxMs`,
 * jittered within the upper half so replicas that failed together do not retry together.
 */
export function cappedBackoffMs(
  attempt: number,
  firstMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const capped = Math.min(maxMs, firstMs * 2 ** (attempt - 1));
  return capped / 2 + random() * (capped / 2);
}
