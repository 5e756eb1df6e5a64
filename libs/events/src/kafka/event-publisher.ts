/** One record to publish: the value as bytes, string headers. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Publishes records durably: `publish` resolves only once every record is acknowledged by all
 * in-sync replicas (acks=all) and rejects otherwise, in which case any of them may or may not
 * have been written (the caller publishes them again: at-least-once).
 */
export interface EventPublisher {
  publish(records: readonly OutgoingRecord[]): Promise<void>;
  /** Flushes and disconnects. */
  close(): Promise<void>;
}
