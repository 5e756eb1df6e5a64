import type { Principal } from '@platform/core';
import { WatchOrderResponse } from '@platform/proto';
import { Observable } from 'rxjs';
import type { OrderChangeFeed } from '../feed/order-change-feed.js';
import type { OrderBook } from '../orders/order-book.js';
import { toOrderMessage } from '../orders/order-message.js';
import type { OrderRow } from '../orders/order-schema.js';
import { isFinalStatus } from '../orders/order-status.js';
import { LatestByKey, type StreamSink } from './latest-by-key.js';

/**
 * WatchOrder: the order's current state first, then every committed change (each version
 * once, in order), until a final state; the client's cancel or deadline unsubscribes. The feed
 * is joined before the first read, so no change between the read and the subscription is lost;
 * nothing is sent before the caller is known to may see the order (NOT_FOUND otherwise). A
 * reader that falls behind gets the latest state, not a backlog.
 */
export function watchOrder(
  deps: { book: OrderBook; feed: OrderChangeFeed },
  principal: Principal,
  orderId: string,
  sink: StreamSink,
): Observable<WatchOrderResponse> {
  return new Observable<WatchOrderResponse>((subscriber) => {
    let allowed = false;
    let lastVersion = 0n;
    let early: OrderRow | undefined;
    const gate = new LatestByKey<OrderRow>(sink, (row) => {
      subscriber.next(WatchOrderResponse.create({ order: toOrderMessage(row) }));
      if (isFinalStatus(row.status)) subscriber.complete();
    });
    const deliver = (row: OrderRow) => {
      if (!allowed) {
        if (!early || row.version > early.version) early = row;
        return;
      }
      if (row.version <= lastVersion) return;
      lastVersion = row.version;
      gate.offer(row.id, row);
    };
    const unsubscribe = deps.feed.subscribe(orderId, deliver);
    deps.book.visible(principal, orderId).then(
      (current) => {
        allowed = true;
        deliver(current);
        if (early) deliver(early);
      },
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      unsubscribe();
      gate.dispose();
    };
  });
}
