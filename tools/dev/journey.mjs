// The user journey `npm run load` drives through the platform's own clients (@platform/grpc's
// client chain: deadlines, retries of idempotent calls, trace propagation): sign up, sign in,
// create orders, watch some, list, cancel some, import a batch, track, read the statistics.
// Open loop: a step starts every 1/rate s whether or not the earlier ones have answered, so a
// slow service shows as latency and a growing number in flight, not as a lower offered rate.
import { status as grpcStatus } from '@grpc/grpc-js';
import { bearer, createClient, createClientChain, promiseClient } from '@platform/grpc';
import {
  AuthenticateRequest,
  CancelOrderRequest,
  CreateOrderRequest,
  CreateUserRequest,
  GetOrderRequest,
  GetUserOrderStatsRequest,
  ImportOrdersRequest,
  ImportOutcome,
  LineItem,
  ListOrdersRequest,
  OrderServiceClient,
  OrderStatus,
  TrackOrdersRequest,
  UserServiceClient,
  WatchOrderRequest,
} from '@platform/proto';
import { randomBytes } from 'node:crypto';

/**
 * The steps after sign-up, with their weights (a share of the rate). Signing up and in are rare,
 * as for real users: each hashes a password (scrypt, about 100 ms of CPU in the user service by
 * design), and a few per second already take a core.
 */
export const journeySteps = {
  createOrder: 33,
  getOrder: 22,
  listOrders: 12,
  cancelOrder: 8,
  getUserOrderStats: 8,
  watchOrder: 6,
  importOrders: 5,
  trackOrders: 4,
  authenticate: 1,
  signUp: 1,
};

/** The most steps in flight: past it a step is skipped and counted, so a stalled stack cannot exhaust memory. */
const maxInFlight = 2_000;
const streamTimeoutMs = 30_000;
/** How long a person watches an order: then the client cancels (recorded as CANCELLED) unless it became final. */
const watchMs = 10_000;

const codeName = (code) =>
  Object.entries(grpcStatus).find(([, value]) => value === code)?.[0] ?? String(code ?? 'UNKNOWN');

/** Per-RPC results: calls, codes, latencies (ms). */
export function createStats() {
  const rpcs = new Map();
  return {
    rpcs,
    record(rpc, code, ms) {
      let entry = rpcs.get(rpc);
      if (!entry) rpcs.set(rpc, (entry = { calls: 0, codes: {}, latencies: [] }));
      entry.calls += 1;
      entry.codes[code] = (entry.codes[code] ?? 0) + 1;
      entry.latencies.push(ms);
    },
  };
}

/** The `q` quantile (0..1) of `values` (nearest rank). */
export function quantile(values, q) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The end table's rows: RPC, calls, rate/s over `seconds`, codes, p50 and p99 in ms. */
export function statsRows(stats, seconds) {
  const rows = [['rpc', 'calls', 'rate/s', 'codes', 'p50 ms', 'p99 ms']];
  for (const [rpc, entry] of [...stats.rpcs].sort(([a], [b]) => a.localeCompare(b))) {
    const codes = Object.entries(entry.codes)
      .sort(([, a], [, b]) => b - a)
      .map(([code, count]) => `${code} ${count}`)
      .join(', ');
    const ms = (value) => (value === undefined ? '' : value.toFixed(1));
    rows.push([
      rpc,
      entry.calls,
      (entry.calls / Math.max(seconds, 0.001)).toFixed(1),
      codes,
      ms(quantile(entry.latencies, 0.5)),
      ms(quantile(entry.latencies, 0.99)),
    ]);
  }
  return rows;
}

/** Picks a step by weight; `random` in [0, 1). */
export function pickStep(random, steps = journeySteps) {
  const total = Object.values(steps).reduce((sum, weight) => sum + weight, 0);
  let point = random * total;
  for (const [step, weight] of Object.entries(steps)) {
    point -= weight;
    if (point < 0) return step;
  }
  return Object.keys(steps).at(-1);
}

function orderRequest(index) {
  return CreateOrderRequest.create({
    requestId: `load-${randomBytes(8).toString('hex')}`,
    currencyCode: index % 5 === 0 ? 'USD' : 'EUR',
    items: [
      LineItem.create({
        sku: `sku-${index % 13}`,
        quantity: 1 + (index % 3),
        unitPriceMinor: String(100 + (index % 900)),
      }),
    ],
  });
}

/**
 * The journey against `targets` (`{ userService, orderService }`): `users` users signed up
 * first, then steps at `rate` per second for `seconds`. `onTick` gets `{ elapsed, started,
 * done, inFlight, failed, skipped }` every second. `signal` ends the run early (Ctrl-C).
 * Resolves with the stats, the users (each with the ids of the orders it created) and the
 * seconds the steps ran; `finish()` on the result waits for the steps in flight.
 */
export async function runJourney({
  targets,
  rate,
  seconds,
  users: userCount,
  onTick = () => undefined,
  signal,
}) {
  const interceptors = createClientChain({ tracing: {}, deadline: { defaultDeadlineMs: 10_000 } });
  const userRaw = createClient(UserServiceClient, targets.userService, { interceptors });
  const orderRaw = createClient(OrderServiceClient, targets.orderService, { interceptors });
  const usersApi = promiseClient(userRaw);
  const ordersApi = promiseClient(orderRaw);
  const stats = createStats();
  const users = [];
  let sequence = 0;

  const timed = async (rpc, run) => {
    const started = performance.now();
    try {
      const result = await run();
      stats.record(rpc, 'OK', performance.now() - started);
      return result;
    } catch (error) {
      stats.record(rpc, codeName(error.code), performance.now() - started);
      return undefined;
    }
  };
  const someone = () => users[Math.floor(Math.random() * users.length)];
  const someOrder = (user) => user.orders[Math.floor(Math.random() * user.orders.length)];

  const signUp = async () => {
    const email = `load-${randomBytes(6).toString('hex')}@example.com`;
    const password = `Lo4d-${randomBytes(12).toString('base64url')}-station`;
    const created = await timed('CreateUser', () =>
      usersApi.createUser(CreateUserRequest.create({ email, password, displayName: 'Load' })),
    );
    if (!created) return;
    const signedIn = await timed('Authenticate', () =>
      usersApi.authenticate(AuthenticateRequest.create({ password: { email, password } })),
    );
    if (signedIn)
      users.push({ email, password, userId: signedIn.subject, token: signedIn.accessToken, orders: [] });
  };

  /**
   * A server stream (WatchOrder) or a bidi one (TrackOrders) until the order is final, timed as
   * one call: OK when it became final, CANCELLED when the watcher left after {@link watchMs}.
   */
  const untilFinal = (rpc, open) =>
    timed(
      rpc,
      () =>
        new Promise((resolveStream, rejectStream) => {
          const call = open();
          let final = false;
          const leave = setTimeout(() => call.cancel(), watchMs);
          const settle = (error) => {
            clearTimeout(leave);
            if (error && !(final && error.code === grpcStatus.CANCELLED)) rejectStream(error);
            else resolveStream();
          };
          call.on('data', (response) => {
            const status = response.order?.status;
            if (
              status === OrderStatus.ORDER_STATUS_CONFIRMED ||
              status === OrderStatus.ORDER_STATUS_CANCELLED
            ) {
              final = true;
              call.cancel();
            }
          });
          call.on('error', settle);
          call.on('end', () => settle());
        }),
    );

  const steps = {
    signUp,
    async createOrder(user) {
      const response = await timed('CreateOrder', () =>
        ordersApi.createOrder(orderRequest((sequence += 1)), { metadata: bearer(user.token) }),
      );
      if (response?.order) user.orders.push(response.order.id);
    },
    async getOrder(user) {
      if (user.orders.length === 0) return steps.createOrder(user);
      await timed('GetOrder', () =>
        ordersApi.getOrder(GetOrderRequest.create({ orderId: someOrder(user) }), {
          metadata: bearer(user.token),
        }),
      );
    },
    async listOrders(user) {
      await timed('ListOrders', () =>
        ordersApi.listOrders(ListOrdersRequest.create({ pageSize: 20 }), { metadata: bearer(user.token) }),
      );
    },
    async cancelOrder(user) {
      // The newest order: often still PENDING (the worker takes FULFILLMENT_DURATION), else
      // FAILED_PRECONDITION, as for a person who changed their mind too late.
      const orderId = user.orders.at(-1);
      if (!orderId) return steps.createOrder(user);
      await timed('CancelOrder', () =>
        ordersApi.cancelOrder(CancelOrderRequest.create({ orderId, reason: 'load: changed my mind' }), {
          metadata: bearer(user.token),
        }),
      );
    },
    async watchOrder(user) {
      const orderId = user.orders.at(-1);
      if (!orderId) return steps.createOrder(user);
      await untilFinal('WatchOrder', () =>
        orderRaw.watchOrder(WatchOrderRequest.create({ orderId }), bearer(user.token), {
          deadline: Date.now() + streamTimeoutMs,
        }),
      );
    },
    async trackOrders(user) {
      const orderId = user.orders.at(-1);
      if (!orderId) return steps.createOrder(user);
      await untilFinal('TrackOrders', () => {
        const call = orderRaw.trackOrders(bearer(user.token), { deadline: Date.now() + streamTimeoutMs });
        call.write(TrackOrdersRequest.create({ subscribeOrderId: orderId }));
        return call;
      });
    },
    async importOrders(user) {
      const response = await timed(
        'ImportOrders',
        () =>
          new Promise((resolveImport, rejectImport) => {
            const call = orderRaw.importOrders(
              bearer(user.token),
              { deadline: Date.now() + 10_000 },
              (error, answer) => (error ? rejectImport(error) : resolveImport(answer)),
            );
            for (let index = 0; index < 3; index += 1) {
              call.write(ImportOrdersRequest.create({ order: orderRequest((sequence += 1)) }));
            }
            call.end();
          }),
      );
      for (const result of response?.results ?? []) {
        if (result.outcome === ImportOutcome.IMPORT_OUTCOME_CREATED) user.orders.push(result.orderId);
      }
    },
    async authenticate(user) {
      const signedIn = await timed('Authenticate', () =>
        usersApi.authenticate(
          AuthenticateRequest.create({ password: { email: user.email, password: user.password } }),
        ),
      );
      if (signedIn) user.token = signedIn.accessToken;
    },
    async getUserOrderStats(user) {
      await timed('GetUserOrderStats', () =>
        usersApi.getUserOrderStats(GetUserOrderStatsRequest.create({ userId: user.userId }), {
          metadata: bearer(user.token),
        }),
      );
    },
  };

  await Promise.all(Array.from({ length: userCount }, () => signUp()));
  if (users.length === 0) {
    userRaw.close();
    orderRaw.close();
    const [code] = Object.keys(stats.rpcs.get('CreateUser')?.codes ?? {});
    throw new Error(
      `no user could sign up (CreateUser: ${code ?? 'no answer'}); is the platform running? (npm run dev)`,
    );
  }

  const inFlight = new Set();
  const counters = { started: 0, done: 0, failed: 0, skipped: 0 };
  const begin = performance.now();
  const elapsed = () => (performance.now() - begin) / 1000;
  const ticker = setInterval(
    () =>
      onTick({
        elapsed: elapsed(),
        inFlight: inFlight.size,
        ...counters,
        calls: [...stats.rpcs.values()].reduce((sum, entry) => sum + entry.calls, 0),
      }),
    1_000,
  );
  // Open loop: the n-th step is due at n/rate s; a late timer catches up at once.
  let issued = 0;
  while (!signal?.aborted && elapsed() < seconds) {
    const due = Math.floor(elapsed() * rate) + 1;
    for (; issued < due && elapsed() < seconds; issued += 1) {
      if (inFlight.size >= maxInFlight) {
        counters.skipped += 1;
        continue;
      }
      const step = pickStep(Math.random());
      const run = steps[step](someone())
        .catch(() => (counters.failed += 1))
        .finally(() => {
          inFlight.delete(run);
          counters.done += 1;
        });
      inFlight.add(run);
      counters.started += 1;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, Math.max(1, 1000 / rate)));
  }
  const ran = elapsed();
  return {
    stats,
    users,
    seconds: ran,
    counters,
    inFlight,
    async finish() {
      await Promise.all(inFlight);
      clearInterval(ticker);
    },
    close() {
      clearInterval(ticker);
      userRaw.close();
      orderRaw.close();
    },
    usersApi,
    ordersApi,
  };
}

/**
 * Every order the journey created, counted by status from the order service (ListOrders, the
 * source of truth) and compared with the user service's projection (GetUserOrderStats), per
 * user, once the projection has caught up (polled up to `timeoutMs`). Resolves with the totals
 * and the mismatches (empty when every order is accounted for).
 */
export async function accountOrders({ users, usersApi, ordersApi, timeoutMs = 60_000 }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const totals = { created: 0, listed: 0, confirmed: 0, cancelled: 0, pending: 0 };
    const mismatches = [];
    for (const user of users) {
      const metadata = bearer(user.token);
      const counts = { pending: 0, confirmed: 0, cancelled: 0, listed: 0 };
      let pageToken = '';
      do {
        const page = await ordersApi.listOrders(ListOrdersRequest.create({ pageSize: 500, pageToken }), {
          metadata,
        });
        for (const order of page.orders) {
          counts.listed += 1;
          if (order.status === OrderStatus.ORDER_STATUS_CONFIRMED) counts.confirmed += 1;
          else if (order.status === OrderStatus.ORDER_STATUS_CANCELLED) counts.cancelled += 1;
          else counts.pending += 1;
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
      const { stats } = await usersApi.getUserOrderStats(
        GetUserOrderStatsRequest.create({ userId: user.userId }),
        {
          metadata,
        },
      );
      const projected = {
        orders: Number(stats?.orderCount ?? 0),
        confirmed: Number(stats?.confirmedCount ?? 0),
        cancelled: Number(stats?.cancelledCount ?? 0),
      };
      const created = new Set(user.orders).size;
      if (
        counts.listed !== created ||
        projected.orders !== created ||
        projected.confirmed !== counts.confirmed ||
        projected.cancelled !== counts.cancelled
      ) {
        mismatches.push({ user: user.email, created, ...counts, projected });
      }
      totals.created += created;
      totals.listed += counts.listed;
      totals.confirmed += counts.confirmed;
      totals.cancelled += counts.cancelled;
      totals.pending += counts.pending;
    }
    if (mismatches.length === 0 || Date.now() > deadline) return { totals, mismatches };
    await new Promise((resolveWait) => setTimeout(resolveWait, 1_000));
  }
}
