import {
  readStatement,
  withTransaction,
  type Database,
  type DatabaseSchema,
  type Transaction,
} from '@platform/db';
import { recordEvent } from '@platform/events';
import {
  assertSameRequest,
  FailedPreconditionError,
  invalidRequestError,
  NotFoundError,
  pageOf,
  requestHashOf,
  resolvePageSize,
  type PageTokenCodec,
  type Principal,
} from '@platform/core';
import {
  ListOrdersResponse,
  OrderCancelled,
  orderCancelled,
  OrderConfirmed,
  orderConfirmed,
  OrderCreated,
  orderCreated,
  orderStatusToJSON,
  type CreateOrderRequest,
  type ListOrdersRequest,
  type Order,
} from '@platform/proto';
import { randomUUID } from 'node:crypto';
import { orderAccess } from './order-access.js';
import {
  orderResourceType,
  orderStatusMessageOf,
  storedOrderStatusOf,
  toOrderMessage,
} from './order-message.js';
import { orderRepository, type OrderCursor } from './order-repository.js';
import { checkCreateOrder, orderLimitDefaults, type OrderLimits } from './order-request-validators.js';
import type { OrderRow, OrderSchema, StoredOrderStatus } from './order-schema.js';
import { transitionOf } from './order-status.js';
import { userStandingRepository } from './user-standing-repository.js';
import type { UserDirectory } from './user-directory.js';

/** Options of {@link OrderBook}. */
export interface OrderBookOptions {
  db: Database<OrderSchema>;
  users: UserDirectory;
  /** Seals ListOrders page tokens. */
  pageTokens: PageTokenCodec;
  limits?: OrderLimits;
  /**
   * Whether CreateOrder trusts the users' standing this service keeps: a user it learnt to be
   * active less than `maxAgeMs` ago is not asked about again. Only sound while the
   * UserDeactivated consumer runs (Kafka is configured), which updates the standing and cancels
   * the orders taken before it arrived; `maxAgeMs` bounds what a lost event could let through.
   * Unset (the default): every new order asks `users`.
   */
  keptStandings?: { readonly maxAgeMs: number } | undefined;
  /** Current time, epoch milliseconds; for tests. Defaults to `Date.now`. */
  clock?: () => number;
}

/** What CreateOrder did: a new order, or the one an earlier request with the same id made. */
export interface CreateOutcome {
  readonly order: Order;
  readonly created: boolean;
}

function notFound(orderId: string): NotFoundError {
  return new NotFoundError(
    `Order ${orderId} not found`,
    { resourceType: orderResourceType, resourceName: orderId },
    { reason: 'ORDER_NOT_FOUND' },
  );
}

function wrongState(row: OrderRow, action: string): FailedPreconditionError {
  return new FailedPreconditionError(
    `Order ${row.id} is ${row.status} and cannot be ${action}`,
    [{ type: 'ORDER_STATUS', subject: `orders/${row.id}`, description: `the order is ${row.status}` }],
    // Machine-readable: the status as the contract spells it (ORDER_STATUS_CONFIRMED).
    {
      reason: 'ORDER_STATE_CONFLICT',
      metadata: { status: orderStatusToJSON(orderStatusMessageOf(row.status)) },
    },
  );
}

/** The payload an idempotency key stands for: owner, currency and items, in order. */
/** FAILED_PRECONDITION for an order whose owner is deactivated (`known`) or does not exist. */
function userNotActive(ownerId: string, known: boolean): FailedPreconditionError {
  return new FailedPreconditionError(
    known ? `User ${ownerId} is deactivated` : `User ${ownerId} does not exist`,
    [
      {
        type: 'USER_STATUS',
        subject: `users/${ownerId}`,
        description: known ? 'the user is deactivated' : 'the user does not exist',
      },
    ],
    { reason: known ? 'USER_DEACTIVATED' : 'USER_NOT_FOUND' },
  );
}

/** A checked CreateOrder request and its owner. */
interface NewOrder {
  readonly ownerId: string;
  readonly request: CreateOrderRequest;
  readonly requestHash: string;
  readonly totalMinor: bigint;
}

function orderRequestHash(ownerId: string, request: CreateOrderRequest): string {
  return requestHashOf([
    ownerId,
    request.currencyCode,
    request.items.map((item) => [item.sku, item.quantity, item.unitPriceMinor]),
  ]);
}

/**
 * The orders of the order service: idempotent creation, reads, lists, and the lifecycle
 * transitions. Every method takes the caller's principal and applies {@link orderAccess};
 * every change bumps the order's version and is announced to the change feed in the same
 * transaction (delivered on commit).
 */
export class OrderBook {
  private readonly db: Database<OrderSchema>;
  private readonly limits: OrderLimits;
  private readonly clock: () => number;

  constructor(private readonly options: OrderBookOptions) {
    this.db = options.db;
    this.limits = options.limits ?? orderLimitDefaults;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * CreateOrder (and each ImportOrders item): the same request id with the same payload
   * answers the order the first request made (no second row); with another payload,
   * FAILED_PRECONDITION `IDEMPOTENCY_KEY_REUSED`. A new order needs an active user: with
   * `keptStandings`, a user recently learnt to be active is not asked about again (a deactivation
   * takes effect when its event is consumed, and cancels the orders taken in between).
   */
  async create(
    principal: Principal,
    request: CreateOrderRequest,
    options: { users?: UserDirectory } = {},
  ): Promise<CreateOutcome> {
    const { violations, totalMinor } = checkCreateOrder(request, this.limits);
    // CreateOrder's validator refused these before the call got here; an ImportOrders item
    // gets the very error CreateOrder answers.
    if (violations.length) throw invalidRequestError(violations);
    const ownerId = orderAccess.ownerOf(principal, request.userId);
    const requestHash = orderRequestHash(ownerId, request);

    // A retry is answered from the database alone, even while the user service is down.
    const earlier = await this.read((tx) => orderRepository.findByRequest(tx, ownerId, request.requestId));
    if (earlier) return { order: this.sameRequest(earlier, requestHash), created: false };

    const order: NewOrder = { ownerId, request, requestHash, totalMinor };
    const kept = this.options.keptStandings;
    if (kept) {
      const taken = await withTransaction(this.db, async (tx) => {
        const standing = await userStandingRepository.lock(tx, ownerId);
        if (!standing) return undefined;
        if (standing.active && this.clock() - standing.updateTime.getTime() >= kept.maxAgeMs)
          return undefined;
        return this.insert(tx, order, standing.active);
      });
      if (taken) return taken;
    }

    const user = await (options.users ?? this.options.users).findUser(ownerId);
    if (!user?.active) throw userNotActive(ownerId, user !== undefined);
    return withTransaction(this.db, async (tx) => {
      if (!kept) return this.insert(tx, order, true);
      // A UserDeactivated consumed since the answer came has the last word.
      return this.insert(
        tx,
        order,
        await userStandingRepository.learnActive(tx, ownerId, new Date(this.clock())),
      );
    });
  }

  /** Inserts the order of a user whose standing is locked (or was just asked), unless its request id was used. */
  private async insert(
    tx: Transaction<OrderSchema>,
    { ownerId, request, requestHash, totalMinor }: NewOrder,
    active: boolean,
  ): Promise<CreateOutcome> {
    if (!active) throw userNotActive(ownerId, true);
    const now = new Date(this.clock());
    const inserted = await orderRepository.insertIfAbsent(tx, {
      id: randomUUID(),
      userId: ownerId,
      requestId: request.requestId,
      requestHash,
      items: request.items.map((item) => ({
        sku: item.sku,
        quantity: item.quantity,
        unitPriceMinor: item.unitPriceMinor,
      })),
      currencyCode: request.currencyCode,
      totalMinor,
      status: 'pending',
      version: 1n,
      createTime: now,
      updateTime: now,
      cancelReason: '',
    });
    if (inserted) {
      const order = toOrderMessage(inserted);
      await recordEvent(tx, orderCreated, inserted.id, OrderCreated.create({ order }));
      return { order, created: true };
    }
    // A concurrent request with the same id committed first (the insert waited for it).
    const winner = await orderRepository.findByRequest(tx, ownerId, request.requestId);
    if (!winner) throw new Error(`order request ${request.requestId} conflicted but is not there`);
    return { order: this.sameRequest(winner, requestHash), created: false };
  }

  async get(principal: Principal, orderId: string): Promise<Order> {
    return toOrderMessage(await this.visible(principal, orderId));
  }

  /** The stored order if the caller may see it; NOT_FOUND otherwise, exactly as for a missing one. */
  async visible(principal: Principal, orderId: string): Promise<OrderRow> {
    const row = await this.read((tx) => orderRepository.findById(tx, orderId));
    if (!row || !orderAccess.canSee(principal, row)) throw notFound(orderId);
    return row;
  }

  async list(principal: Principal, request: ListOrdersRequest): Promise<ListOrdersResponse> {
    const userId = orderAccess.listScopeOf(principal, request.userId);
    const status = storedOrderStatusOf(request.status);
    const limit = resolvePageSize(request.pageSize);
    // The token is bound to the filter: it cannot be replayed with another one.
    const scope = `ListOrders:${userId ?? '*'}:${status ?? '*'}`;
    const cursor = this.options.pageTokens.decode<OrderCursor>(request.pageToken, scope);
    const rows = await this.read((tx) => orderRepository.list(tx, { userId, status }, cursor, limit + 1));
    const page = pageOf(rows, limit, (last) =>
      this.options.pageTokens.encode(
        { createTime: last.createTime.getTime(), id: last.id } satisfies OrderCursor,
        scope,
      ),
    );
    return ListOrdersResponse.create({
      orders: page.items.map(toOrderMessage),
      nextPageToken: page.nextPageToken,
    });
  }

  /** CancelOrder: PENDING -> CANCELLED; cancelling a cancelled order succeeds and changes nothing. */
  cancel(principal: Principal, orderId: string, reason: string): Promise<Order> {
    return this.move(
      orderId,
      'cancelled',
      'cancelled',
      (row) => orderAccess.canSee(principal, row),
      reason.trim(),
    );
  }

  /** ConfirmOrder (services only): PENDING -> CONFIRMED; idempotent. */
  confirm(principal: Principal, orderId: string): Promise<Order> {
    orderAccess.assertCanConfirm(principal);
    return this.move(orderId, 'confirmed', 'confirmed', () => true);
  }

  /**
   * A user was deactivated: records it in the standing CreateOrder reads, then cancels every
   * PENDING order of theirs, in the caller's transaction (the UserDeactivated handler's, with
   * its inbox row); each emits OrderCancelled. Returns their ids. The standing is written first:
   * it waits for the CreateOrders holding it, so their orders are among those cancelled.
   */
  async deactivateUser(tx: Transaction<DatabaseSchema>, userId: string, reason: string): Promise<string[]> {
    const orderTx = tx as unknown as Transaction<OrderSchema>;
    await userStandingRepository.deactivate(orderTx, userId, new Date(this.clock()));
    const pending = await orderRepository.pendingOf(orderTx, userId);
    for (const id of pending) await this.changeLocked(orderTx, id, 'cancelled', reason);
    return pending;
  }

  private async move(
    orderId: string,
    to: StoredOrderStatus,
    action: string,
    mayTouch: (row: OrderRow) => boolean,
    cancelReason?: string,
  ): Promise<Order> {
    const row = await withTransaction(this.db, async (tx) => {
      const current = await orderRepository.findById(tx, orderId, true);
      if (!current || !mayTouch(current)) throw notFound(orderId);
      const transition = transitionOf(current.status, to);
      if (transition === 'already') return current;
      if (transition === 'refused') throw wrongState(current, action);
      return this.changeLocked(tx, orderId, to, cancelReason);
    });
    return toOrderMessage(row);
  }

  /** Moves a locked order and records its event, in `tx` (the table's trigger announces the change). */
  private async changeLocked(
    tx: Transaction<OrderSchema>,
    orderId: string,
    to: StoredOrderStatus,
    cancelReason?: string,
  ): Promise<OrderRow> {
    const changed = await orderRepository.transition(tx, orderId, to, {
      updateTime: new Date(this.clock()),
      ...(cancelReason !== undefined && { cancelReason }),
    });
    const order = toOrderMessage(changed);
    if (to === 'confirmed') await recordEvent(tx, orderConfirmed, orderId, OrderConfirmed.create({ order }));
    if (to === 'cancelled') await recordEvent(tx, orderCancelled, orderId, OrderCancelled.create({ order }));
    return changed;
  }

  private sameRequest(row: OrderRow, requestHash: string): Order {
    assertSameRequest(row, requestHash, { noun: 'order', collection: 'orders', idKey: 'order_id' });
    return toOrderMessage(row);
  }

  /** A read of one statement: one round trip on PostgreSQL (see `readStatement`). */
  private read<T>(fn: Parameters<typeof readStatement<T, OrderSchema>>[1]): Promise<T> {
    return readStatement(this.db, fn);
  }
}
