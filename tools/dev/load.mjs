#!/usr/bin/env node
// A short, steady load on the dev stack's services, for measuring what they cost in memory: a
// few users sign up, then `concurrency` callers in a loop place an order (CreateOrder, which
// also calls the user service's GetUser and goes out through the outbox to Kafka, the worker
// and the user service's projection), read three known orders (GetOrder), and every tenth round
// list orders (ListOrders) and read the caller's statistics (GetUserOrderStats). The dev
// footprint check (footprint.spec.mjs) runs it for a number of rounds; on a running
// `npm run dev` it runs for a while:
//   node tools/dev/load.mjs [--seconds 60] [--concurrency 8]   (after the dev build)
// USER_SERVICE_ADDRESS / ORDER_SERVICE_ADDRESS say where the services are (dev's by default).
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const option = (name, fallback) => {
    const index = process.argv.indexOf(`--${name}`);
    return index === -1 ? fallback : Number(process.argv[index + 1]);
  };
  const seconds = option('seconds', 60);
  const targets = {
    userService: process.env.USER_SERVICE_ADDRESS ?? '127.0.0.1:50051',
    orderService: process.env.ORDER_SERVICE_ADDRESS ?? '127.0.0.1:50052',
  };
  console.log(`load: ${seconds} s against ${targets.userService} and ${targets.orderService} …`);
  const calls = await runLoad({ ...targets, seconds, concurrency: option('concurrency', 8) });
  console.log(
    `load: ${Object.entries(calls)
      .map(([method, count]) => `${count} ${method}`)
      .join(', ')} in ${seconds} s`,
  );
}
