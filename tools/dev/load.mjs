#!/usr/bin/env node
// A short, steady load on the dev stack's services, for measuring what they cost in memory: a
// few users sign up, then `concurrency` callers in a loop place an order (CreateOrder, which
// also calls the user service's GetUser and goes out through the outbox to Kafka, the worker
// and the user service's projection), read three known orders (GetOrder), and every tenth round
// list orders (ListOrders) and read the caller's statistics (GetUserOrderStats). The dev
// footprint check (footprint.spec.mjs) runs it (`runLoad`) for a number of rounds.
// Run as a command, `npm run load -- [--rate 50] [--duration 60s] [--users 20]`, it drives the
// weighted user journey of journey.mjs open-loop on a running `npm run dev` instead, with a live
// progress line, a table per RPC at the end (Ctrl-C: the table so far) and every order
// accounted for against the statistics. USER_SERVICE_ADDRESS / ORDER_SERVICE_ADDRESS say where
// the services are (dev's by default).
import { credentials, Metadata } from '@grpc/grpc-js';
import {
  AuthenticateRequest,
  CreateOrderRequest,
  CreateUserRequest,
  GetOrderRequest,
  GetUserOrderStatsRequest,
  ListOrdersRequest,
  OrderServiceClient,
  UserServiceClient,
} from '@platform/proto';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** A unary call of a grpc-js client as a promise, with the caller's token and a 10 s deadline. */
function call(client, method, request, token) {
  const metadata = new Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolveCall, rejectCall) => {
    client[method](request, metadata, { deadline: Date.now() + 10_000 }, (error, response) =>
      error ? rejectCall(error) : resolveCall(response),
    );
  });
}

async function signUp(users) {
  const email = `load-${randomBytes(6).toString('hex')}@example.com`;
  const password = `Lo4d-${randomBytes(12).toString('base64url')}-station`;
  await call(users, 'createUser', CreateUserRequest.create({ email, password, displayName: 'Load' }));
  const signedIn = await call(
    users,
    'authenticate',
    AuthenticateRequest.create({ password: { email, password } }),
  );
  return { userId: signedIn.subject, token: signedIn.accessToken };
}

/**
 * Runs the load until `rounds` rounds are done (in all) or `seconds` have passed, whichever is
 * set. Resolves with the calls made per method; rejects on the first failed call.
 */
export async function runLoad({ userService, orderService, rounds, seconds, concurrency = 8, users = 4 }) {
  if (rounds === undefined && seconds === undefined) throw new TypeError('runLoad needs rounds or seconds');
  const userClient = new UserServiceClient(userService, credentials.createInsecure());
  const orderClient = new OrderServiceClient(orderService, credentials.createInsecure());
  const calls = { createOrder: 0, getOrder: 0, listOrders: 0, getUserOrderStats: 0 };
  try {
    const callers = [];
    for (let index = 0; index < users; index += 1) callers.push(await signUp(userClient));
    const until = seconds === undefined ? Infinity : Date.now() + seconds * 1000;
    let round = 0;
    const loop = async (caller) => {
      const placed = [];
      while (Date.now() < until && (rounds === undefined || round < rounds)) {
        round += 1;
        const { order } = await call(
          orderClient,
          'createOrder',
          CreateOrderRequest.create({
            requestId: `load-${randomBytes(8).toString('hex')}`,
            currencyCode: 'EUR',
            items: [
              { sku: `sku-${round % 13}`, quantity: 1 + (round % 3), unitPriceMinor: String(100 + round) },
            ],
          }),
          caller.token,
        );
        calls.createOrder += 1;
        placed.push(order.id);
        for (let read = 0; read < 3; read += 1) {
          const orderId = placed[Math.floor(Math.random() * placed.length)];
          await call(orderClient, 'getOrder', GetOrderRequest.create({ orderId }), caller.token);
          calls.getOrder += 1;
        }
        if (round % 10 === 0) {
          await call(orderClient, 'listOrders', ListOrdersRequest.create({ pageSize: 20 }), caller.token);
          calls.listOrders += 1;
          await call(
            userClient,
            'getUserOrderStats',
            GetUserOrderStatsRequest.create({ userId: caller.userId }),
            caller.token,
          );
          calls.getUserOrderStats += 1;
        }
      }
    };
    await Promise.all(
      Array.from({ length: concurrency }, (_, index) => loop(callers[index % callers.length])),
    );
    return calls;
  } finally {
    userClient.close();
    orderClient.close();
  }
}

/** `--rate 50 --duration 60s --users 20` as options; throws with a plain message on a bad argument. */
export function parseLoadArgs(args) {
  const options = { rate: 50, seconds: 60, users: 20 };
  const number = (name, text) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`--${name} needs a positive number, not ${text ?? 'nothing'}`);
    return value;
  };
  for (let index = 0; index < args.length; index += 1) {
    const [name, inline] = args[index].split('=', 2);
    const value = inline ?? args[(index += 1)];
    if (name === '--rate') options.rate = number('rate', value);
    else if (name === '--users') {
      options.users = number('users', value);
      if (!Number.isInteger(options.users)) throw new Error(`--users needs a whole number, not ${value}`);
    } else if (name === '--duration') {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value ?? '');
      if (!match || Number(match[1]) <= 0) {
        throw new Error(`--duration needs a time such as 30s, 2m or 500ms, not ${value ?? 'nothing'}`);
      }
      options.seconds = Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] ?? 's'];
    } else throw new Error(`unknown argument ${args[index - (inline === undefined ? 1 : 0)]}`);
  }
  return options;
}

/** Rows of cells as aligned columns. */
function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows
    .map((row) => `  ${row.map((cell, column) => String(cell).padEnd(widths[column])).join('  ')}`.trimEnd())
    .join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const usage =
    'usage: npm run load -- [--rate <steps/s, 50>] [--duration <30s|2m|500ms, 60s>] [--users <n, 20>]\n' +
    "  USER_SERVICE_ADDRESS / ORDER_SERVICE_ADDRESS: where the services are (npm run dev's by default)";
  let options;
  try {
    options = parseLoadArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`load: ${error.message}\n${usage}`);
    process.exit(2);
  }
  const { runJourney, accountOrders, statsRows } = await import('./journey.mjs');
  const targets = {
    userService: process.env.USER_SERVICE_ADDRESS ?? '127.0.0.1:50051',
    orderService: process.env.ORDER_SERVICE_ADDRESS ?? '127.0.0.1:50052',
  };
  console.log(
    `load: ${options.rate} steps/s for ${options.seconds} s, ${options.users} users, against ${targets.userService} and ${targets.orderService} …`,
  );
  const controller = new AbortController();
  let run;
  const tty = process.stdout.isTTY;
  const line = (text) => (tty ? process.stdout.write(`\r${text}\x1b[K`) : console.log(text));
  const printTable = (seconds) => {
    if (tty) process.stdout.write('\n');
    console.log(table(statsRows(run.stats, seconds)));
  };
  process.on('SIGINT', () => {
    // A second Ctrl-C does not wait for the table.
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  });
  try {
    const pending = runJourney({
      targets,
      ...options,
      signal: controller.signal,
      onTick: ({ elapsed, started, inFlight, calls, skipped }) =>
        line(
          elapsed <= options.seconds
            ? `load: ${elapsed.toFixed(0)}/${options.seconds} s, ${started} steps started (${(started / elapsed).toFixed(0)}/s), ` +
                `${calls} calls answered, ${inFlight} in flight${skipped ? `, ${skipped} skipped` : ''}`
            : `load: all ${started} steps started; ${calls} calls answered, waiting for ${inFlight} in flight (streams until their order is final) …`,
        ),
    });
    run = await pending;
  } catch (error) {
    console.error(`\nload: ${error.message}`);
    process.exit(1);
  }
  if (controller.signal.aborted) {
    // Ctrl-C: the table so far, without waiting for the steps in flight.
    printTable(run.seconds);
    console.log(
      `load: interrupted after ${run.seconds.toFixed(1)} s (${run.inFlight.size} steps were in flight)`,
    );
    run.close();
    process.exit(130);
  }
  line(
    `load: steps issued for ${run.seconds.toFixed(1)} s; waiting for the ${run.inFlight.size} in flight …`,
  );
  await run.finish();
  printTable(run.seconds);
  console.log('load: accounting for every order (ListOrders per user against GetUserOrderStats) …');
  const { totals, mismatches } = await accountOrders(run);
  run.close();
  console.log(
    `load: ${totals.created} orders created = ${totals.confirmed} confirmed + ${totals.cancelled} cancelled + ${totals.pending} pending` +
      (mismatches.length === 0 ? ', matching the statistics of every user' : ''),
  );
  if (mismatches.length > 0 || totals.confirmed + totals.cancelled + totals.pending !== totals.created) {
    for (const mismatch of mismatches.slice(0, 10))
      console.error(`load: mismatch ${JSON.stringify(mismatch)}`);
    console.error(`load: ${mismatches.length} users' orders are not accounted for`);
    process.exit(1);
  }
}
