/** How deep a chain of wrapped errors is followed; guards against a cycle of `cause`s. */
const maxDepth = 8;

/**
 * `error` and then its causes (`cause`), outermost first: database errors reach callers wrapped,
 * by drizzle (`DrizzleQueryError`), pg-pool (`Connection terminated due to connection timeout`)
 * or our own errors.
 */
export function* causeChain(error: unknown): Generator<object> {
  let current: unknown = error;
  for (let depth = 0; depth < maxDepth && typeof current === 'object' && current !== null; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}
