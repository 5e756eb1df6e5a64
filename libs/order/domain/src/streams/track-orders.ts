import { invalidRequestError, ResourceExhaustedError, type Principal } from '@platform/core';
import { TrackOrdersResponse, type TrackOrdersRequest } from '@platform/proto';
import { Observable } from 'rxjs';
import type { OrderChangeFeed } from '../feed/order-change-feed.js';
import type { OrderBook } from '../orders/order-book.js';
import { toOrderMessage } from '../orders/order-message.js';
import { orderIdViolations } from '../orders/order-request-validators.js';
import type { OrderRow } from '../orders/order-schema.js';
import { LatestByKey, type StreamSink } from './latest-by-key.js';
import { toItemError } from './to-item-error.js';

/** The call of a bidi stream: its writable side, and pausing its readable side. */
export interface BidiCall extends StreamSink {
  pause(): unknown;
  resume(): unknown;
}

/** Options of {@link trackOrders}. */
export interface TrackOrdersOptions {
  /** Most orders one stream may follow at once. Defaults to 1000. */
  maxSubscriptions?: number;
}

interface Tracked {
  allowed: boolean;
  lastVersion: bigint;
  early?: OrderRow;
  unsubscribe(): void;
}

/**
 * TrackOrders: the client subscribes and unsubscribes by order id at any time; the server sends
 * the current state of each subscribed order, then its committed changes. Authorization is per
 * id: an order the caller may not see (or a malformed id, or one too many) gets a per-item error
 * message with the code and details a unary call answers (INVALID_REQUEST naming
 * `subscribe_order_id`, ORDER_NOT_FOUND as GetOrder), and the stream stays open. Requests and
 * changes are handled concurrently. When the client half-closes, pending checks and states are
 * sent, then the stream ends OK; cancel and deadline end it at once. Every listener is removed
 * when it ends.
 *
 * Flow control: while the client is not reading, only the latest state per order is kept and
 * reading requests is paused, so a slow client costs bounded memory.
 */
export function trackOrders(
  deps: { book: OrderBook; feed: OrderChangeFeed },
  principal: Principal,
  requests: Observable<TrackOrdersRequest>,
  call: BidiCall,
  options: TrackOrdersOptions = {},
): Observable<TrackOrdersResponse> {
  const maxSubscriptions = options.maxSubscriptions ?? 1000;
  return new Observable<TrackOrdersResponse>((subscriber) => {
    const tracked = new Map<string, Tracked>();
    let checking = 0;
    let halfClosed = false;
    let errorCount = 0;
    const gate = new LatestByKey<TrackOrdersResponse>(
      call,
      (response) => subscriber.next(response),
      (blocked) => (blocked ? call.pause() : call.resume()),
    );
    const endIfDone = () => {
      if (halfClosed && checking === 0) gate.whenFlushed(() => subscriber.complete());
    };
    const itemError = (orderId: string, error: unknown) => {
      // Errors never replace one another: each gets its own key.
      errorCount += 1;
      gate.offer(`error:${errorCount}`, TrackOrdersResponse.create({ orderId, error: toItemError(error) }));
    };
    const deliver = (entry: Tracked, row: OrderRow) => {
      if (!entry.allowed) {
        if (!entry.early || row.version > entry.early.version) entry.early = row;
        return;
      }
      if (row.version <= entry.lastVersion) return;
      entry.lastVersion = row.version;
      gate.offer(row.id, TrackOrdersResponse.create({ orderId: row.id, order: toOrderMessage(row) }));
    };
    const drop = (orderId: string) => {
      tracked.get(orderId)?.unsubscribe();
      tracked.delete(orderId);
    };
    const subscribe = (orderId: string) => {
      const violations = orderIdViolations(orderId, 'subscribe_order_id');
      if (violations.length) {
        itemError(orderId, invalidRequestError(violations));
        return;
      }
      if (tracked.has(orderId)) return;
      if (tracked.size >= maxSubscriptions) {
        itemError(
          orderId,
          new ResourceExhaustedError(
            `A stream may follow at most ${maxSubscriptions} orders`,
            {
              retryDelayMs: 0,
              violations: [
                { subject: 'subscriptions', description: `at most ${maxSubscriptions} per stream` },
              ],
            },
            { reason: 'TOO_MANY_SUBSCRIPTIONS' },
          ),
        );
        return;
      }
      const entry: Tracked = { allowed: false, lastVersion: 0n, unsubscribe: () => undefined };
      entry.unsubscribe = deps.feed.subscribe(orderId, (row) => deliver(entry, row));
      tracked.set(orderId, entry);
      checking += 1;
      deps.book
        .visible(principal, orderId)
        .then(
          (current) => {
            if (tracked.get(orderId) !== entry) return;
            entry.allowed = true;
            deliver(entry, current);
            if (entry.early) deliver(entry, entry.early);
          },
          (error: unknown) => {
            if (tracked.get(orderId) === entry) drop(orderId);
            itemError(orderId, error);
          },
        )
        .finally(() => {
          checking -= 1;
          endIfDone();
        });
    };
    const requestSubscription = requests.subscribe({
      next: (request) => {
        if (request.subscribeOrderId != null) subscribe(request.subscribeOrderId);
        else if (request.unsubscribeOrderId != null) drop(request.unsubscribeOrderId);
        else {
          itemError(
            '',
            invalidRequestError([
              { field: 'action', description: 'must set subscribe_order_id or unsubscribe_order_id' },
            ]),
          );
        }
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        halfClosed = true;
        endIfDone();
      },
    });
    return () => {
      requestSubscription.unsubscribe();
      for (const orderId of [...tracked.keys()]) drop(orderId);
      gate.dispose();
    };
  });
}
