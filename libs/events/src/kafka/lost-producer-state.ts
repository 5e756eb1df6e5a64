/**
 * Kafka's answers meaning the broker no longer accepts this idempotent producer's id, epoch or
 * sequence numbers: retrying with the same producer fails the same way forever.
 */
const lostProducerStateTypes = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** Whether `error` (or an error it wraps, as kafkajs's non-retriable errors do) is one of them. */
export function isLostProducerState(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current && typeof current === 'object' && !seen.has(current);) {
    seen.add(current);
    const { type, cause } = current as { type?: unknown; cause?: unknown };
    if (typeof type === 'string' && lostProducerStateTypes.has(type)) return true;
    current = cause;
  }
  return false;
}
