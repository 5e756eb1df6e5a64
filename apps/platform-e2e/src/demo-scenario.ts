// The platform's demo, as a scenario any client could run: sign up, sign in, place an order and
// watch the fulfillment worker confirm it, import a batch with one bad item, cancel an imported
// order while it is still PENDING (the worker takes FULFILLMENT_DURATION to fulfil one: 3 s under
// `npm run dev`), read the projected statistics. `npm run demo` prints it; the e2e suite asserts
// on it.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { bearer, ClientError, createClient, createClientChain, promiseClient } from '@platform/grpc';
import {
  AuthenticateRequest,
  CancelOrderRequest,
  CreateOrderRequest,
  CreateUserRequest,
  ImportOrdersRequest,
  ImportOutcome,
  LineItem,
  OrderServiceClient,
  OrderStatus,
  UserServiceClient,
  type ImportOrdersResponse,
  type Order,
  type UserOrderStats,
} from '@platform/proto';
import { randomBytes } from 'node:crypto';
import { statsOnceProjected } from './stats-once-projected.js';
import { watchUntilFinal } from './watch-until-final.js';

/** Where the services are. */
export interface DemoTargets {
  userService: string;
  orderService: string;
}

/** What the scenario did, step by step. */
export interface DemoReport {
  readonly userId: string;
  readonly email: string;
  /** The trace of "place an order": CreateOrder, the event, the worker, ConfirmOrder, the projection. */
  readonly traceId: string;
  readonly order: Order;
  /** Statuses WatchOrder reported for the order, in order, starting with CreateOrder's answer. */
  readonly watched: OrderStatus[];
  readonly imported: ImportOrdersResponse;
  /** The imported order the scenario cancelled while PENDING, and what happened. */
  readonly cancel: { orderId: string; outcome: 'cancelled' | 'already confirmed' };
  readonly stats: UserOrderStats;
}

const tracer = trace.getTracer('platform-demo');

/** Bound of a WatchOrder until the order is final: the worker's FULFILLMENT_DURATION is at most 15 s. */
const watchTimeoutMs = 30_000;

function orderRequest(items: CreateOrderRequest['items'], currencyCode = 'EUR'): CreateOrderRequest {
  return CreateOrderRequest.create({
    requestId: `demo-${randomBytes(8).toString('hex')}`,
    userId: '',
    currencyCode,
    items,
  });
}

/** Clients with the platform's client chain: deadlines, retries of idempotent calls, tracing. */
function clients(targets: DemoTargets) {
  const interceptors = createClientChain({ tracing: {}, deadline: { defaultDeadlineMs: 10_000 } });
  const users = createClient(UserServiceClient, targets.userService, { interceptors });
  const orders = createClient(OrderServiceClient, targets.orderService, { interceptors });
  return {
    users: promiseClient(users),
    orders: promiseClient(orders),
    ordersRaw: orders,
    close() {
      users.close();
      orders.close();
    },
  };
}

async function importBatch(
  client: OrderServiceClient,
  token: string,
  requests: CreateOrderRequest[],
): Promise<ImportOrdersResponse> {
  return new Promise((resolve, reject) => {
    const call = client.importOrders(bearer(token), { deadline: Date.now() + 10_000 }, (error, response) =>
      error ? reject(error) : resolve(response as ImportOrdersResponse),
    );
    for (const order of requests) call.write(ImportOrdersRequest.create({ order }));
    call.end();
  });
}

/** Runs the demo against running services; `say` receives one line per step, for a person. */
export async function runDemoScenario(
  targets: DemoTargets,
  say: (line: string) => void,
): Promise<DemoReport> {
  const { users, orders, ordersRaw, close } = clients(targets);
  try {
    const email = `demo-${randomBytes(4).toString('hex')}@example.com`;
    const password = `Demo-${randomBytes(12).toString('base64url')}-pass`;
    const { user } = await users.createUser(
      CreateUserRequest.create({ email, password, displayName: 'Demo Buyer' }),
    );
    say(`signed up ${email} (user ${user?.id})`);
    const signIn = await users.authenticate(AuthenticateRequest.create({ password: { email, password } }));
    const token = signIn.accessToken;
    const userId = signIn.subject;
    say(`authenticated: a bearer token for ${userId}, roles ${signIn.roles.join(', ')}`);

    // One span around placing the order: its trace id is the one to look up.
    const placed = await tracer.startActiveSpan('demo: place an order', async (span) => {
      try {
        const { order } = await orders.createOrder(
          orderRequest([
            LineItem.create({ sku: 'sku-espresso', quantity: 2, unitPriceMinor: '450' }),
            LineItem.create({ sku: 'sku-croissant', quantity: 1, unitPriceMinor: '320' }),
          ]),
          { metadata: bearer(token) },
        );
        if (!order) throw new Error('CreateOrder answered without an order');
        say(
          `created order ${order.id}: ${order.status}, total ${order.totalMinor} ${order.currencyCode} minor units`,
        );
        // Live: PENDING while the worker fulfils it (FULFILLMENT_DURATION), then CONFIRMED.
        const opened = Date.now();
        const watched = await watchUntilFinal(ordersRaw, order.id, token, watchTimeoutMs, (status) =>
          say(`  WatchOrder: ${status} (${((Date.now() - opened) / 1000).toFixed(1)} s)`),
        );
        // CreateOrder's answer, then each status the stream reported (its first is the current one).
        const statuses = [order.status, ...watched].filter((status, index, all) => status !== all[index - 1]);
        return { order, watched: statuses, traceId: span.spanContext().traceId };
      } finally {
        span.end();
      }
    });
    say(`watched it: ${placed.watched.join(' -> ')}`);

    const batch = [
      orderRequest([LineItem.create({ sku: 'sku-tea', quantity: 3, unitPriceMinor: '250' })]),
      orderRequest([LineItem.create({ sku: 'sku-cake', quantity: 0, unitPriceMinor: '500' })]),
      orderRequest([LineItem.create({ sku: 'sku-juice', quantity: 1, unitPriceMinor: '380' })], 'USD'),
    ];
    const imported = await importBatch(ordersRaw, token, batch);
    say(`imported ${batch.length} orders: ${imported.createdCount} created, ${imported.failedCount} failed`);
    for (const result of imported.results) {
      if (result.outcome === ImportOutcome.IMPORT_OUTCOME_FAILED) {
        const fields = result.error?.badRequest?.fieldViolations.map((v) => `${v.field}: ${v.description}`);
        say(`  item ${result.index} refused (${result.error?.errorInfo?.reason}): ${fields?.join('; ')}`);
      }
    }

    // Right after the import its orders are PENDING: the worker is still fulfilling them.
    const created = imported.results.filter(
      (result) => result.outcome === ImportOutcome.IMPORT_OUTCOME_CREATED,
    );
    const toCancel = created[0];
    if (!toCancel) throw new Error(`the import created no order to cancel: ${JSON.stringify(imported)}`);
    let outcome: DemoReport['cancel']['outcome'] = 'cancelled';
    try {
      const { order: cancelled } = await orders.cancelOrder(
        CancelOrderRequest.create({ orderId: toCancel.orderId, reason: 'demo: changed my mind' }),
        { metadata: bearer(token) },
      );
      say(`cancelled order ${toCancel.orderId} while it was PENDING: ${cancelled?.status}`);
    } catch (error) {
      if (!(error instanceof ClientError) || error.code !== GrpcStatus.FAILED_PRECONDITION) throw error;
      outcome = 'already confirmed';
      say(
        `order ${toCancel.orderId} was already confirmed by the worker (is its FULFILLMENT_DURATION 0?): ${error.message}`,
      );
    }
    // The other imported orders: until the worker confirmed them, before reading the statistics.
    for (const result of created.slice(1)) {
      const statuses = await watchUntilFinal(ordersRaw, result.orderId, token, watchTimeoutMs);
      say(`order ${result.orderId}: ${statuses.at(-1) ?? 'no status'}`);
    }

    const stats = await statsOnceProjected(users, userId, token, 1 + imported.createdCount);
    const totals = Object.entries(stats.lifetimeTotalMinorByCurrency)
      .map(([currency, total]) => `${total} ${currency}`)
      .join(', ');
    say(
      `order statistics: ${stats.orderCount} orders, ${stats.confirmedCount} confirmed, ${stats.cancelledCount} cancelled; lifetime totals (minor units): ${totals}`,
    );
    say(`trace id of "place an order": ${placed.traceId}`);
    return {
      userId,
      email,
      traceId: placed.traceId,
      order: placed.order,
      watched: placed.watched,
      imported,
      cancel: { orderId: toCancel.orderId, outcome },
      stats,
    };
  } finally {
    close();
  }
}
