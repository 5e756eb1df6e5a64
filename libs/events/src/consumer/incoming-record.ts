import type { IHeaders } from 'kafkajs';
import { retryHeaders } from './dead-letter-headers.js';

/** One fetched record: what the runtime reads of a kafkajs message, its headers as strings. */
export interface IncomingRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: { readonly key: Buffer | null; readonly value: Buffer | null; readonly offset: string };
  readonly headers: Readonly<Record<string, string>>;
}

/** Where a record was first published: its own place, or for a retry-topic record the original's. */
export interface RecordOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Kafka headers as strings: the first value of a repeated header, absent ones dropped. */
export function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

/**
 * The origin of `incoming`. `retryTopics` maps each retry topic of the group to its source topic:
 * a record read from one carries its original place in its retry headers.
 */
export function originOf(incoming: IncomingRecord, retryTopics: ReadonlyMap<string, string>): RecordOrigin {
  const source = retryTopics.get(incoming.topic);
  if (source === undefined) {
    return { topic: incoming.topic, partition: incoming.partition, offset: incoming.message.offset };
  }
  return {
    topic: incoming.headers[retryHeaders.originalTopic] ?? source,
    partition: Number(incoming.headers[retryHeaders.originalPartition] ?? incoming.partition),
    offset: incoming.headers[retryHeaders.originalOffset] ?? incoming.message.offset,
  };
}
