import pg from 'pg';
import { DatabaseUnavailableError } from '../connection/database-unavailable-error.js';
import { isConnectionFailure } from '../connection/is-connection-failure.js';
import { databaseDefaults } from '../database-options.js';
import { within } from '../drivers/driver.js';
import { quotedChannel } from './channel-name.js';
import type { ListenerOptions, Subscription } from './listen-options.js';
import { databaseClosedError, type Subscriber } from './subscriber.js';

/** Where and how the listening connection connects. */
export interface PgListenerSettings extends ListenerOptions {
  url: string;
  /** Its `application_name` is this plus `:listen` (just `listen` without it). */
  applicationName?: string;
  connectionTimeoutMs: number;
}

/**
 * LISTEN/NOTIFY on PostgreSQL for one database: ONE dedicated `pg.Client`, outside the pool (a
 * connection in LISTEN state must never be handed to a transaction, and listening must never
 * take a pooled connection), shared by every channel and subscriber.
 *
 * - Reference-counted: `LISTEN` for a channel's first subscriber, `UNLISTEN` after its last;
 *   the connection opens with the first subscriber and ends after the last one leaves.
 * - A lost connection is reopened with capped exponential backoff and jitter, every channel
 *   listened to again, then each subscriber's `onReconnect` called. Notifications committed in
 *   between are lost (the server queues them only for sessions that are listening), hence the
 *   contract: subscribers re-read their state in `onReconnect`.
 * - Operations run one at a time (connect, LISTEN, UNLISTEN, end), so no interleaving can leave a
 *   channel unlistened or a connection behind.
 */
export class PgListener {
  private readonly channels = new Map<string, Set<Subscriber>>();
  private client: pg.Client | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private closed = false;
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;
  private readonly heartbeatIntervalMs: number;

  constructor(private readonly settings: PgListenerSettings) {
    this.reconnectDelayMs = settings.reconnectDelayMs ?? databaseDefaults.listenReconnectDelayMs;
    this.maxReconnectDelayMs = settings.maxReconnectDelayMs ?? databaseDefaults.listenMaxReconnectDelayMs;
    this.heartbeatIntervalMs = settings.heartbeatIntervalMs ?? databaseDefaults.listenHeartbeatIntervalMs;
  }

  /** Resolves once the channel is listened to; rejects with `DatabaseUnavailableError` when the server cannot be reached. */
  async listen(subscriber: Subscriber): Promise<Subscription> {
    const { channel } = subscriber;
    const quoted = quotedChannel(channel);
    await this.exclusive(async () => {
      if (this.closed) throw databaseClosedError(channel);
      try {
        const client = await this.connected();
        let subscribers = this.channels.get(channel);
        if (!subscribers) {
          await client.query(`listen ${quoted}`);
          subscribers = new Set();
          this.channels.set(channel, subscribers);
        }
        subscribers.add(subscriber);
      } catch (error) {
        if (this.channels.size === 0) await this.disconnect();
        throw isConnectionFailure(error) ? new DatabaseUnavailableError({ cause: error }) : error;
      }
    });
    return subscriber.subscription(() => this.unsubscribe(subscriber));
  }

  /** Ends the connection and every subscription; `listen` rejects from now on. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const stopAll = () => this.forEachSubscriber((subscriber) => subscriber.stop());
    stopAll();
    return this.exclusive(async () => {
      stopAll(); // and those a `listen` already under way added meanwhile
      this.channels.clear();
      await this.disconnect();
    });
  }

  private unsubscribe(subscriber: Subscriber): Promise<void> {
    const { channel } = subscriber;
    return this.exclusive(async () => {
      const subscribers = this.channels.get(channel);
      if (!subscribers?.delete(subscriber) || subscribers.size > 0) return;
      this.channels.delete(channel);
      if (this.channels.size === 0) {
        await this.disconnect();
      } else {
        // On failure the connection's error event takes over, and a reconnection skips this channel.
        await this.client?.query(`unlisten ${quotedChannel(channel)}`).catch(() => undefined);
      }
    });
  }

  /** Runs `work` after every operation queued before it. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The open connection, or a new one listening to every channel (then its subscribers were cut off: `onReconnect`). */
  private async connected(): Promise<pg.Client> {
    if (this.client) return this.client;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    let client: pg.Client;
    try {
      client = await this.connect();
    } catch (error) {
      this.forEachSubscriber((subscriber) => subscriber.failed(error));
      this.scheduleReconnect();
      throw error;
    }
    this.client = client;
    this.failedAttempts = 0;
    this.scheduleHeartbeat(client);
    this.forEachSubscriber((subscriber) => subscriber.reconnected());
    return client;
  }

  private async connect(): Promise<pg.Client> {
    const { url, applicationName, connectionTimeoutMs } = this.settings;
    const client = new pg.Client({
      connectionString: url,
      application_name: applicationName ? `${applicationName}:listen` : 'listen',
      connectionTimeoutMillis: connectionTimeoutMs,
      keepAlive: true,
    });
    // Connection errors must never be unhandled 'error' events: they would crash the process.
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client, new Error('Connection terminated unexpectedly')));
    client.on('notification', (message) => {
      for (const subscriber of this.channels.get(message.channel) ?? [])
        subscriber.deliver(message.payload ?? '');
    });
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`listen ${quotedChannel(channel)}`);
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** The current connection broke (or was found dead by the heartbeat): drop it and reconnect. */
  private dropped(client: pg.Client, error: unknown): void {
    if (client !== this.client) return; // one we ended, or a drop already handled
    this.client = undefined;
    clearTimeout(this.heartbeatTimer);
    // Releases the socket; destroyed at once when a statement hangs on it.
    client.end().catch(() => undefined);
    this.forEachSubscriber((subscriber) => subscriber.failed(error));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.channels.size === 0 || this.retryTimer) return;
    const ceiling = Math.min(this.maxReconnectDelayMs, this.reconnectDelayMs * 2 ** this.failedAttempts);
    this.failedAttempts += 1;
    // "Equal jitter": never sooner than half the delay, so a down server is not hammered.
    const delayMs = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // A failure is reported to the subscribers and scheduled again by connected().
      this.exclusive(async () => {
        if (!this.closed && this.channels.size > 0) await this.connected();
      }).catch(() => undefined);
    }, delayMs);
  }

  private scheduleHeartbeat(client: pg.Client): void {
    this.heartbeatTimer = setTimeout(() => {
      within(client.query('select 1'), this.settings.connectionTimeoutMs, 'the listening connection').then(
        () => {
          if (client === this.client) this.scheduleHeartbeat(client);
        },
        (error: unknown) => this.dropped(client, error),
      );
    }, this.heartbeatIntervalMs);
  }

  private async disconnect(): Promise<void> {
    clearTimeout(this.retryTimer);
    clearTimeout(this.heartbeatTimer);
    this.retryTimer = undefined;
    this.failedAttempts = 0;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private forEachSubscriber(fn: (subscriber: Subscriber) => void): void {
    for (const subscribers of [...this.channels.values()])
      for (const subscriber of [...subscribers]) fn(subscriber);
  }
}
