/**
 * The abort reason of a scope whose deadline passed: a `TimeoutError` DOMException, as
 * `AbortSignal.timeout()` gives, so whoever sees the signal abort can tell a deadline (answered
 * DEADLINE_EXCEEDED) from a cancellation (CANCELLED).
 */
export function deadlineExceeded(): DOMException {
  return new DOMException('deadline exceeded', 'TimeoutError');
}

/** Whether an abort reason says the deadline passed (ours, or `AbortSignal.timeout()`'s). */
export function isDeadlineReason(reason: unknown): boolean {
  return (reason as { name?: unknown } | null)?.name === 'TimeoutError';
}
