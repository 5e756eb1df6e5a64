import type { PGlite } from '@electric-sql/pglite';
import { quotedChannel } from './channel-name.js';
import type { Subscription } from './listen-options.js';
import { databaseClosedError, type Subscriber } from './subscriber.js';

/**
 * LISTEN/NOTIFY on PGlite: its own `listen`/`unlisten`, which keep the callbacks of each channel
 * and `UNLISTEN` after its last one leaves. PGlite is one session in this process, so
 * the connection is never lost and `onReconnect` never called. The channel is passed quoted:
 * PGlite puts the name into `LISTEN …` as it is (and the unsubscribe function `listen` returns
 * unquotes it, so a keyword such as `order` would fail there; `unlisten` is called directly).
 */
export class PgliteListener {
  private readonly subscribers = new Set<Subscriber>();
  private closed = false;

  constructor(private readonly pglite: PGlite) {}

  async listen(subscriber: Subscriber): Promise<Subscription> {
    const { channel } = subscriber;
    const quoted = quotedChannel(channel);
    if (this.isClosed()) throw databaseClosedError(channel);
    // A function of its own per subscriber: PGlite keeps a channel's callbacks in a Set.
    const callback = (payload: string) => subscriber.deliver(payload);
    await this.pglite.listen(quoted, callback);
    if (this.isClosed()) {
      subscriber.stop();
      throw databaseClosedError(channel);
    }
    this.subscribers.add(subscriber);
    return subscriber.subscription(async () => {
      this.subscribers.delete(subscriber);
      if (!this.isClosed()) await this.pglite.unlisten(quoted, callback);
    });
  }

  /** Stops every subscription; PGlite's own close drops its listeners. */
  close(): void {
    this.closed = true;
    for (const subscriber of this.subscribers) subscriber.stop();
    this.subscribers.clear();
  }

  private isClosed(): boolean {
    return this.closed || this.pglite.closed;
  }
}
