/**
 * Headers the consumer runtime adds on the retry and dead-letter topics. The original key,
 * value and headers are kept as they were; these say where the event came from and why it is
 * here, so the replay tool can re-drive it to its original topic.
 */
export const deadLetterHeaders = {
  originalTopic: 'dlt-original-topic',
  originalPartition: 'dlt-original-partition',
  originalOffset: 'dlt-original-offset',
  group: 'dlt-group',
  attempts: 'dlt-attempts',
  /** `invalid-envelope`, `unknown-type`, `undecodable`, `permanent-error`, `retries-exhausted`. */
  reason: 'dlt-reason',
  error: 'dlt-error',
  time: 'dlt-time',
} as const;

export const retryHeaders = {
  /** Retry-topic passes made so far (1 on the first retry-topic record). */
  pass: 'retry-pass',
  /** Epoch ms before which the record is not processed. */
  due: 'retry-due',
  /** Attempts made so far, in-process ones included. */
  attempts: 'retry-attempts',
  originalTopic: 'retry-original-topic',
  originalPartition: 'retry-original-partition',
  originalOffset: 'retry-original-offset',
  error: 'retry-error',
} as const;

export type DeadLetterReason =
  'invalid-envelope' | 'unknown-type' | 'undecodable' | 'permanent-error' | 'retries-exhausted';

const runtimeHeaderNames = new Set<string>([
  ...Object.values(deadLetterHeaders),
  ...Object.values(retryHeaders),
]);

/** The headers a record had when first published: the runtime's own ones removed. */
export function originalHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !runtimeHeaderNames.has(name)));
}

/** Errors travel in headers: one line, bounded. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 1_000);
}
