import { randomUUID } from 'node:crypto';
import type { EventType } from '../contracts/event-type.js';
import type { OutgoingRecord } from '../kafka/event-publisher.js';
import { cloudEventHeaders } from './cloud-event-headers.js';

/** Options of {@link eventRecord}. */
export interface EventRecordOptions {
  /** `ce_subject` and the record key: the aggregate the event is about. */
  subject: string;
  /** `ce_source`: `/platform/<service>`. */
  source: string;
  /** `ce_id`. Defaults to a random UUID. */
  id?: string;
  /** `KAFKA_NAMESPACE` of the processes that read it. Defaults to none. */
  namespace?: string;
  /** `ce_time`. Defaults to now. */
  time?: Date;
}

/**
 * One event as a record to publish, as the outbox relay writes it: the encoded payload on its
 * type's topic, keyed by the subject, with the CloudEvents headers. For a process that publishes
 * without an outbox, and for tests that put a real event on a broker.
 */
export function eventRecord<T>(type: EventType<T>, message: T, options: EventRecordOptions): OutgoingRecord {
  return {
    topic: `${options.namespace ?? ''}${type.topic.name}`,
    key: options.subject,
    value: Buffer.from(type.codec.encode(message).finish()),
    headers: cloudEventHeaders({
      id: options.id ?? randomUUID(),
      type: type.type,
      source: options.source,
      subject: options.subject,
      time: options.time ?? new Date(),
    }),
  };
}
