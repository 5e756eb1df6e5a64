import type { Principal } from '@platform/core';
import {
  CreateOrderRequest,
  ImportOrderResult,
  ImportOrdersResponse,
  ImportOutcome,
  type ImportOrdersRequest,
} from '@platform/proto';
import { concatMap, defer, endWith, ignoreElements, tap, type Observable } from 'rxjs';
import type { OrderBook } from '../orders/order-book.js';
import type { UserDirectory, UserStanding } from '../orders/user-directory.js';
import { toItemError } from './to-item-error.js';

/** The readable side of a client stream that can be paused (grpc-js calls are Node streams). */
export interface PausableCall {
  pause(): unknown;
  resume(): unknown;
}

/** Options of {@link importOrders}. */
export interface ImportOrdersOptions {
  /** Items received but not yet processed before reading pauses. Defaults to 32. */
  highWaterMark?: number;
  /** Most items listed in `results`, one per item in order (all are counted). Defaults to 1000. */
  maxReportedResults?: number;
  /** Told about items that failed INTERNAL (logged with their error id). Defaults to none. */
  onInternalError?: (error: unknown, errorId: string) => void;
}

/** An item without an order: reported with the violations of an empty CreateOrderRequest. */
const emptyOrder: CreateOrderRequest = CreateOrderRequest.create({
  requestId: '',
  userId: '',
  items: [],
  currencyCode: '',
});

/** Asks the user service once per user per stream, however many items name that user. */
function memoized(users: UserDirectory): UserDirectory {
  const answers = new Map<string, Promise<UserStanding | undefined>>();
  return {
    findUser(userId) {
      let answer = answers.get(userId);
      if (!answer) {
        answer = users.findUser(userId);
        // A failed lookup (user service down) is not remembered: the next item asks again.
        answer.catch(() => answers.delete(userId));
        answers.set(userId, answer);
      }
      return answer;
    },
  };
}

/**
 * ImportOrders: creates each order as it arrives, one at a time, each in its own transaction
 * (with CreateOrder's idempotency: a request id seen before is reported DUPLICATE with the order
 * it made). A bad item is reported with its index and the code and google.rpc details CreateOrder
 * answers, and does not stop the others. Memory stays bounded: reading pauses while
 * `highWaterMark` items wait, and results are listed for the first `maxReportedResults` items
 * (every item is counted). The summary comes when the client half-closes; a cancel or deadline
 * stops at the item being processed (those before it are committed, and a retry of the whole
 * stream finds them as duplicates).
 */
export function importOrders(
  deps: { book: OrderBook; users: UserDirectory },
  principal: Principal,
  requests: Observable<ImportOrdersRequest>,
  call: PausableCall,
  options: ImportOrdersOptions = {},
): Observable<ImportOrdersResponse> {
  const highWaterMark = Math.max(1, options.highWaterMark ?? 32);
  const maxReported = options.maxReportedResults ?? 1000;
  return defer(() => {
    const users = memoized(deps.users);
    const summary: ImportOrdersResponse = ImportOrdersResponse.create({
      createdCount: 0,
      duplicateCount: 0,
      failedCount: 0,
      results: [],
    });
    const report = (result: ImportOrderResult) => {
      if (summary.results.length < maxReported) summary.results.push(result);
    };
    let waiting = 0;
    let paused = false;
    return requests.pipe(
      tap(() => {
        waiting += 1;
        if (!paused && waiting >= highWaterMark) {
          paused = true;
          call.pause();
        }
      }),
      concatMap(async (request, index) => {
        const order = request.order ?? emptyOrder;
        try {
          const outcome = await deps.book.create(principal, order, { users });
          if (outcome.created) summary.createdCount += 1;
          else summary.duplicateCount += 1;
          report(
            ImportOrderResult.create({
              index,
              requestId: order.requestId,
              outcome: outcome.created
                ? ImportOutcome.IMPORT_OUTCOME_CREATED
                : ImportOutcome.IMPORT_OUTCOME_DUPLICATE,
              orderId: outcome.order.id,
              error: null,
            }),
          );
        } catch (error) {
          summary.failedCount += 1;
          report(
            ImportOrderResult.create({
              index,
              requestId: order.requestId,
              outcome: ImportOutcome.IMPORT_OUTCOME_FAILED,
              orderId: '',
              error: toItemError(error, options.onInternalError),
            }),
          );
        } finally {
          waiting -= 1;
          if (paused && waiting <= highWaterMark / 2) {
            paused = false;
            call.resume();
          }
        }
      }),
      ignoreElements(),
      endWith(summary),
    );
  });
}
