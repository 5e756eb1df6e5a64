import { context, propagation } from '@opentelemetry/api';
import type { Database } from '@platform/db';
import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { EventType } from '../contracts/event-type.js';

/**
 * The channel the relay listens on. The outbox's insert trigger (migration 0003) notifies it, so
 * a committed row wakes the relay at once, whoever wrote it.
 */
export const outboxChannel = 'outbox_events';

/** Trace context of the current span, kept with the row so consumers continue the trace. */
function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * Writes one event to the outbox in the caller's transaction (`withTransaction`): it is
 * published only if the state change it announces commits, and then exactly as recorded.
 * `aggregateId` is the Kafka key, so one aggregate's events stay in order. Returns the event
 * id (`ce_id`), which consumers deduplicate on.
 */
export async function recordEvent<T>(
  tx: Pick<Database, 'execute'>,
  eventType: EventType<T>,
  aggregateId: string,
  event: T,
): Promise<string> {
  const id = randomUUID();
  const payload = Buffer.from(eventType.codec.encode(event).finish());
  const headers = JSON.stringify(traceHeaders());
  await tx.execute(
    sql`insert into outbox (id, aggregatetype, aggregateid, type, payload, headers)
        values (${id}, ${eventType.topic.aggregateType}, ${aggregateId}, ${eventType.type}, ${payload}, ${headers}::jsonb)`,
  );
  return id;
}
