/**
 * kafkajs errors that say the cluster was away or busy for a while, whatever kafkajs's
 * `retriable` flag: a group coordinator not found (a broker that just restarted), a lock or wait
 * that timed out, a broker or its metadata not reachable. kafkajs marks some of them
 * non-retriable and then neither retries nor restarts a consumer that met one.
 */
const transientNames = new Set([
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
]);

/**
 * Whether a consumer that crashed on `error` will work again once the cluster is back: the error
 * or one it wraps is one of the transient kinds above, or a broker answer Kafka marks retriable.
 * Anything else (authentication, authorization, an unsupported API, a configuration the broker
 * refuses, a bug) is not: retrying would fail the same way.
 */
export function isTransientKafkaError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    if (transientNames.has(current.name)) return true;
    const { type, retriable } = current as { type?: unknown; retriable?: unknown };
    if (typeof type === 'string' && retriable === true) return true;
  }
  return false;
}
