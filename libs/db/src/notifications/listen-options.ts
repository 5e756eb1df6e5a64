/** Receives the payload of each notification on the channel (`''` when none was given). */
export type NotificationHandler = (payload: string) => void | Promise<void>;

/** Options of `listen`. */
export interface ListenOptions {
  /**
   * Called once the listening connection, lost (server restart, network cut, terminated
   * session), is back and listening again (PostgreSQL only; PGlite never loses it). Notifications
   * committed while it was gone are lost for good: re-read the state you follow here. Defaults to
   * none.
   */
  onReconnect?: () => void | Promise<void>;
  /**
   * Called with what goes wrong without the caller to reject: the listening connection was lost,
   * a reconnection attempt failed (it is retried), `onNotification` or `onReconnect` threw or
   * rejected. Never thrown anywhere else. Defaults to ignoring them.
   */
  onError?: (error: Error) => void;
}

/** One subscriber's registration on a channel, from `listen`. */
export interface Subscription {
  readonly channel: string;
  /**
   * Stops delivery to this subscriber at once; resolves when its channel is no longer listened
   * to (after the channel's last subscriber) or, for the database's last subscriber, when the
   * listening connection is closed. Idempotent; resolves after `db.close()` too.
   */
  close(): Promise<void>;
}

/** Settings of the connection `listen` uses on PostgreSQL (ignored by PGlite). */
export interface ListenerOptions {
  /** First delay before reconnecting a lost listening connection, doubled at each failed attempt, with jitter. Defaults to 100 ms. */
  reconnectDelayMs?: number;
  /** Upper bound of that delay. Defaults to 10 000 ms. */
  maxReconnectDelayMs?: number;
  /**
   * A `select 1` is sent on the listening connection this often, so a connection that died
   * silently (no reset reached us) is noticed and replaced; it must answer within the pool's
   * `connectionTimeoutMs`. Defaults to 10 000 ms.
   */
  heartbeatIntervalMs?: number;
}
