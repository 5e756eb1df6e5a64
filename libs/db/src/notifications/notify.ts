import { sql } from 'drizzle-orm';
import type { Database } from '../database.js';
import { assertChannelName } from './channel-name.js';

/** PostgreSQL refuses payloads of this many bytes or more (in its default build). */
export const maxNotifyPayloadBytes = 8_000;

/** Where `notify` runs: the transaction of `withTransaction` (or the database, then sent at once). */
export type NotifyTarget = Pick<Database, 'execute'>;

/**
 * Notifies the subscribers of `channel` (see `listen`), with `select pg_notify(channel, payload)`.
 * In a transaction the notification is sent at COMMIT and never after a rollback, so the write
 * and its wake-up call are atomic; identical notifications of one transaction are delivered
 * once. Keep the payload small (an id): subscribers read the state itself.
 *
 * Rejects with a TypeError for an invalid channel name and a RangeError for a payload of 8000
 * bytes or more (UTF-8), before anything is sent.
 */
export async function notify(target: NotifyTarget, channel: string, payload = ''): Promise<void> {
  assertChannelName(channel);
  const bytes = Buffer.byteLength(payload, 'utf8');
  if (bytes >= maxNotifyPayloadBytes) {
    throw new RangeError(
      `notification payload of ${bytes} bytes on channel "${channel}": it must be shorter than ${maxNotifyPayloadBytes} bytes`,
    );
  }
  await target.execute(sql`select pg_notify(${channel}, ${payload})`);
}
