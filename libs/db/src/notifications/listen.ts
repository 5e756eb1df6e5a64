import type { Database, DatabaseSchema } from '../database.js';
import { driverOf } from '../drivers/driver.js';
import { assertChannelName } from './channel-name.js';
import type { ListenOptions, NotificationHandler, Subscription } from './listen-options.js';
import { Subscriber } from './subscriber.js';

/**
 * Subscribes `onNotification` to a channel: it receives the payload of every `NOTIFY` on it
 * (`notify(tx, …)`, `pg_notify`) committed after this resolves, in commit order; one sent in a
 * transaction that rolls back is never delivered. Subscribers of one database share one
 * listening connection (PostgreSQL: a dedicated one, never a pooled one) however many channels
 * they follow; `subscription.close()` and `db.close()` end them.
 *
 * Contract on PostgreSQL: when that connection is lost it is reopened (capped exponential
 * backoff), then `onReconnect` is called. Notifications committed meanwhile are lost, so a
 * change feed re-reads its state there; notifications are a wake-up call, the tables are the truth.
 *
 * Rejects with a TypeError for a channel that is not `^[a-z_][a-z0-9_]*$` (at most 63
 * characters), with `DatabaseUnavailableError` when the server cannot be reached, and with an
 * error once the database is closed.
 */
export async function listen<Schema extends DatabaseSchema>(
  db: Database<Schema>,
  channel: string,
  onNotification: NotificationHandler,
  options: ListenOptions = {},
): Promise<Subscription> {
  assertChannelName(channel);
  return driverOf(db).listen(new Subscriber(channel, onNotification, options));
}
