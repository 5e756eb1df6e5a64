import { readStatement, type Database } from '@platform/db';
import { orderRepository } from '../orders/order-repository.js';
import type { OrderRow, OrderSchema } from '../orders/order-schema.js';

/**
 * Where the feed hears of committed changes: calls `onChange(orderId)` for each one (PostgreSQL
 * LISTEN/NOTIFY, which PGlite has too), and `onGap()` when notifications may have been missed
 * (the listening connection was re-established). Resolves once listening.
 */
export type ChangeSource = (
  onChange: (orderId: string) => void,
  onGap: () => void,
) => Promise<{ close(): Promise<void> }>;

/** Called with the order's state after each committed change (and after a gap). */
export type OrderListener = (row: OrderRow) => void;

/** Options of {@link OrderChangeFeed}. */
export interface OrderChangeFeedOptions {
  db: Database<OrderSchema>;
  source: ChangeSource;
  /** Bound of one read of a changed order, ms. Defaults to 5000. */
  readTimeoutMs?: number;
  /** Told about failed reads (the listeners then wait for the next change). Defaults to none. */
  onError?: (error: unknown, orderId: string) => void;
}

/**
 * One LISTEN per process, fanned out in memory to every stream watching an order: a committed
 * change is read once, whatever the number of watchers, and nothing polls. Listeners may get a
 * state more than once (after a gap) and must compare `version`.
 */
export class OrderChangeFeed {
  private readonly listeners = new Map<string, Set<OrderListener>>();
  /** Orders being read, and whether another change arrived meanwhile (read again after). */
  private readonly reading = new Map<string, { again: boolean }>();
  private subscription: { close(): Promise<void> } | undefined;
  /** Reads belong to the feed, not to any call: cancelled when the feed stops, bounded on their own. */
  private readonly stopping = new AbortController();

  constructor(private readonly options: OrderChangeFeedOptions) {}

  /** Starts listening. */
  async start(): Promise<void> {
    this.subscription ??= await this.options.source(
      (orderId) => this.changed(orderId),
      () => {
        for (const orderId of this.listeners.keys()) this.changed(orderId);
      },
    );
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    this.stopping.abort(new Error('the order change feed stopped'));
    await subscription?.close();
  }

  /** Calls `listener` with every committed state of `orderId` from now on; returns the unsubscribe. */
  subscribe(orderId: string, listener: OrderListener): () => void {
    let set = this.listeners.get(orderId);
    if (!set) this.listeners.set(orderId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(orderId) === set) this.listeners.delete(orderId);
    };
  }

  /** Listeners registered now, over every order (streams that leak listeners show here). */
  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  private changed(orderId: string): void {
    if (!this.listeners.has(orderId)) return;
    const inFlight = this.reading.get(orderId);
    if (inFlight) {
      inFlight.again = true;
      return;
    }
    const state = { again: false };
    this.reading.set(orderId, state);
    void this.read(orderId, state);
  }

  private async read(orderId: string, state: { again: boolean }): Promise<void> {
    try {
      do {
        state.again = false;
        const row = await readStatement(this.options.db, (tx) => orderRepository.findById(tx, orderId), {
          signal: this.stopping.signal,
          timeoutMs: this.options.readTimeoutMs ?? 5_000,
        });
        if (row) for (const listener of [...(this.listeners.get(orderId) ?? [])]) listener(row);
      } while (state.again && this.listeners.has(orderId));
    } catch (error) {
      this.options.onError?.(error, orderId);
    } finally {
      this.reading.delete(orderId);
    }
  }
}
