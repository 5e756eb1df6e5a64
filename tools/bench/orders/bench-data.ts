// The data every measured stack starts from, made once per database kind: a user and their
// pending orders. The stacks start on copies of it (the folder, and on PostgreSQL each service's
// database copied from the prepared one), so each measurement begins with the same database and the same
// history in the processes (none), whichever scenario it measures.
import { bearer, createClient, promiseClient } from '@platform/grpc';
import {
  AuthenticateRequest,
  CreateOrderRequest,
  CreateUserRequest,
  OrderServiceClient,
  UserServiceClient,
} from '@platform/proto';
import { randomBytes, randomUUID } from 'node:crypto';
import { startOrderStack, type StackDatabaseUrls, type StackSettings } from './order-stack.js';

/** The request CreateOrder is measured with (ghz replaces the template by a fresh id per call). */
export const benchOrderRequest = {
  request_id: 'bench-{{newUUID}}',
  items: [
    { sku: 'sku-apple', quantity: 3, unit_price_minor: '125' },
    { sku: 'sku-pear', quantity: 1, unit_price_minor: '250' },
  ],
  currency_code: 'EUR',
};

export interface BenchData {
  /** A stopped stack's data folder, to copy. */
  template: string;
  email: string;
  password: string;
  /** The user's id (the owner the floor server creates orders for). */
  userId: string;
  /** The order GetOrder reads. */
  orderId: string;
  /** Pending orders the WatchOrder streams follow. */
  watchedOrderIds: string[];
}

const deadline = () => ({ deadline: Date.now() + 10_000 });

/** Makes the data; on PostgreSQL in `databases` (new, migrated first as a deployment does). */
export async function prepareBenchData(
  settings: StackSettings,
  watchedOrders: number,
  databases?: StackDatabaseUrls,
): Promise<BenchData> {
  const stack = await startOrderStack(settings, databases ? { databases, migrate: true } : {});
  let keepData = false;
  try {
    const email = `bench-${randomBytes(6).toString('hex')}@example.com`;
    const password = `Bench-${randomBytes(12).toString('base64url')}-pass`;
    const users = createClient(UserServiceClient, stack.userAddress);
    const orders = createClient(OrderServiceClient, stack.orderAddress);
    try {
      const { user } = await promiseClient(users).createUser(
        CreateUserRequest.create({ email, password, displayName: 'Benchmark' }),
        deadline(),
      );
      if (!user) throw new Error('CreateUser answered no user');
      const token = await signIn(stack.userAddress, email, password);
      const create = async () => {
        const request: CreateOrderRequest = CreateOrderRequest.create({
          requestId: randomUUID(),
          userId: '',
          items: [{ sku: 'sku-apple', quantity: 1, unitPriceMinor: '125' }],
          currencyCode: 'EUR',
        });
        const { order } = await promiseClient(orders).createOrder(request, {
          ...deadline(),
          metadata: bearer(token),
        });
        if (!order) throw new Error('CreateOrder answered no order');
        return order.id;
      };
      const orderId = await create();
      const watchedOrderIds: string[] = [];
      for (let index = 0; index < watchedOrders; index += 1) watchedOrderIds.push(await create());
      keepData = true;
      return { template: stack.dir, email, password, userId: user.id, orderId, watchedOrderIds };
    } finally {
      users.close();
      orders.close();
    }
  } finally {
    await stack.stop({ keepData });
  }
}

/** Signs the user in at the user service: their access token. */
export async function signIn(userAddress: string, email: string, password: string): Promise<string> {
  const users = createClient(UserServiceClient, userAddress);
  try {
    const response = await promiseClient(users).authenticate(
      AuthenticateRequest.create({ password: { email, password } }),
      deadline(),
    );
    return response.accessToken;
  } finally {
    users.close();
  }
}
