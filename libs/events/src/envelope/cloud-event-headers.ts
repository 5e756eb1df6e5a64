/**
 * CloudEvents 1.0 in Kafka binary mode (the Kafka protocol binding): the payload is the record
 * value as is, and the context attributes are `ce_`-prefixed headers.
 */
export const contentType = 'application/protobuf';

/** What a consumer knows of an event from its headers. */
export interface EventEnvelope {
  /** `ce_id`: the outbox row id; unique per event, the inbox's deduplication key. */
  readonly id: string;
  /** `ce_type`: the protobuf full name of the payload. */
  readonly type: string;
  /** `ce_source`: the producing service. */
  readonly source: string;
  /** `ce_subject`: the aggregate id (also the record key). */
  readonly subject: string;
  /** `ce_time`: when the event was recorded. */
  readonly time: Date;
}

/** The outbox row fields an envelope is made of. */
export interface EnvelopeFields {
  id: string;
  type: string;
  source: string;
  subject: string;
  time: Date;
}

/** Kafka headers of one event: the CloudEvents attributes, the content type, and `extra` (trace context). */
export function cloudEventHeaders(
  fields: EnvelopeFields,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...extra,
    ce_specversion: '1.0',
    ce_id: fields.id,
    ce_type: fields.type,
    ce_source: fields.source,
    ce_subject: fields.subject,
    ce_time: fields.time.toISOString(),
    'content-type': contentType,
  };
}

/** Record headers as strings (Kafka carries bytes; absent and empty headers are dropped). */
export type HeaderMap = Readonly<Record<string, string>>;

/** Why a record is not a platform event; it goes to the dead-letter topic with this. */
export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
}

/** Reads the envelope of a record; throws {@link EnvelopeError} when a required attribute is missing or bad. */
export function readEnvelope(headers: HeaderMap): EventEnvelope {
  const missing = ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time'].filter(
    (name) => !headers[name],
  );
  if (missing.length) throw new EnvelopeError(`not a CloudEvent: missing header(s) ${missing.join(', ')}`);
  if (headers['ce_specversion'] !== '1.0') {
    throw new EnvelopeError(`unsupported CloudEvents specversion "${headers['ce_specversion']}"`);
  }
  const time = new Date(headers['ce_time'] ?? '');
  if (Number.isNaN(time.getTime())) throw new EnvelopeError(`bad ce_time "${headers['ce_time']}"`);
  const type = headers['content-type'];
  if (type && type !== contentType) throw new EnvelopeError(`unsupported content-type "${type}"`);
  return {
    id: headers['ce_id'] ?? '',
    type: headers['ce_type'] ?? '',
    source: headers['ce_source'] ?? '',
    subject: headers['ce_subject'] ?? '',
    time,
  };
}
