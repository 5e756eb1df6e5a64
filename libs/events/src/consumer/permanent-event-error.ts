/**
 * Thrown by a handler for an event that can never succeed (it refers to something that will
 * never exist, breaks an invariant…): it goes to the dead-letter topic at once instead of
 * being retried. Every other error is treated as transient.
 */
export class PermanentEventError extends Error {
  override readonly name = 'PermanentEventError';
}

export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentEventError || (error as { permanent?: unknown })?.permanent === true;
}
