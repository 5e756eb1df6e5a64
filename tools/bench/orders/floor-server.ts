// The floor for the order service on PostgreSQL: a minimal grpc-js server (the generated service
// definition, no interceptors, no auth, no validation, no tracing, no logging) that answers
// GetOrder and CreateOrder with a `pg` Pool, issuing the statements the order service issues per
// call on the same schema (copied from PostgreSQL's statement log of the service under the
// benchmark: transactions, statement timeout and the outbox row included; the schema's triggers
// send the notifications, for the floor's writes as for the service's). What
// the service costs beyond this is its own. Run by the benchmark as a process:
//   FLOOR_DATABASE_URL=postgres://… FLOOR_OWNER_ID=<user uuid> node floor-server.js
// prints `{"msg":"floor-server ready","address":"127.0.0.1:<port>"}` when it listens.
import { Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import {
  CreateOrderResponse,
  GetOrderResponse,
  Order,
  OrderCreated,
  OrderServiceService,
  OrderStatus,
  type CreateOrderRequest,
  type GetOrderRequest,
} from '@platform/proto';
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';

const url = process.env['FLOOR_DATABASE_URL'];
// Without auth there is no caller: every order is the bench user's, as the service's caller is.
const ownerId = process.env['FLOOR_OWNER_ID'];
if (!url || !ownerId) throw new Error('FLOOR_DATABASE_URL and FLOOR_OWNER_ID are required');

// The service's pool settings (DATABASE_POOL_MAX, DATABASE_STATEMENT_TIMEOUT defaults). The
// statements below are those the service's log shows per call (log_statement = all):
//   GetOrder:    select by id, on its own (the connection's statement timeout is the one it needs)
//   CreateOrder: the same read by (user_id, request_id); then begin … read write; set local
//                statement_timeout (one query); the owner's standing for share; insert … on
//                conflict do nothing returning; insert into outbox; commit (the orders and
//                outbox triggers notify). A user the service does not know yet costs it a call
//                to UserService.GetUser besides: the bench user's first order, in the warm-up.
// (the service's outbox headers carry its trace context; the floor has none: `{}`).
const statementTimeoutMs = 5_000;
const pool = new pg.Pool({
  connectionString: url,
  max: 10,
  application_name: 'floor-server',
  statement_timeout: statementTimeoutMs,
});
pool.on('error', () => undefined); // an idle connection lost: the next call gets a new one

interface OrderRow {
  id: string;
  user_id: string;
  request_id: string;
  request_hash: string;
  items: { sku: string; quantity: number; unitPriceMinor: string }[];
  currency_code: string;
  total_minor: string;
  status: 'pending' | 'confirmed' | 'cancelled';
  version: string;
  create_time: Date;
  update_time: Date;
  cancel_reason: string;
}

const columns =
  '"id", "user_id", "request_id", "request_hash", "items", "currency_code", "total_minor", "status", ' +
  '"version", "create_time", "update_time", "cancel_reason"';
const selectById = `select ${columns} from "orders" where "orders"."id" = $1`;
const selectByRequest = `select ${columns} from "orders" where ("orders"."user_id" = $1 and "orders"."request_id" = $2)`;
const insertOrder =
  `insert into "orders" (${columns}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ` +
  `on conflict ("user_id","request_id") do nothing returning ${columns}`;
const lockStanding = `select "active" from "user_standings" where "user_standings"."user_id" = $1 for share`;
const insertOutbox =
  'insert into outbox (id, aggregatetype, aggregateid, type, payload, headers)\n' +
  '        values ($1, $2, $3, $4, $5, $6::jsonb)';

const statuses = {
  pending: OrderStatus.ORDER_STATUS_PENDING,
  confirmed: OrderStatus.ORDER_STATUS_CONFIRMED,
  cancelled: OrderStatus.ORDER_STATUS_CANCELLED,
};

function timestamp(date: Date) {
  const millis = date.getTime();
  const seconds = Math.floor(millis / 1000);
  return { seconds: String(seconds), nanos: (millis - seconds * 1000) * 1e6 };
}

function toOrder(row: OrderRow): Order {
  return Order.create({
    id: row.id,
    userId: row.user_id,
    requestId: row.request_id,
    items: row.items,
    currencyCode: row.currency_code,
    totalMinor: row.total_minor,
    status: statuses[row.status],
    version: row.version,
    createTime: timestamp(row.create_time),
    updateTime: timestamp(row.update_time),
    cancelReason: row.cancel_reason,
  });
}

/** A read of one statement as the service's runs one: on a pooled connection, no transaction around it. */
async function read<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

/** A transaction as the service's runs one: begin with its statement timeout (one round trip), the work, commit. */
async function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(
      `begin isolation level read committed read write; set local statement_timeout = ${statementTimeoutMs}`,
    );
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function failure(code: status, details: string): Partial<ServiceError> {
  return { code, details };
}

async function getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
  const row = await read(async (client) => {
    const result = await client.query<OrderRow>(selectById, [request.orderId]);
    return result.rows[0];
  });
  if (!row) throw failure(status.NOT_FOUND, `Order ${request.orderId} not found`);
  return GetOrderResponse.create({ order: toOrder(row) });
}

async function createOrder(request: CreateOrderRequest): Promise<CreateOrderResponse> {
  const items = request.items.map((item) => ({
    sku: item.sku,
    quantity: item.quantity,
    unitPriceMinor: item.unitPriceMinor,
  }));
  const total = items.reduce((sum, item) => sum + BigInt(item.unitPriceMinor) * BigInt(item.quantity), 0n);
  const requestHash = createHash('sha256')
    .update(
      JSON.stringify([
        ownerId,
        request.currencyCode,
        items.map((item) => [item.sku, item.quantity, item.unitPriceMinor]),
      ]),
    )
    .digest('base64url');
  const earlier = await read(async (client) => {
    const result = await client.query<OrderRow>(selectByRequest, [ownerId, request.requestId]);
    return result.rows[0];
  });
  if (earlier) return CreateOrderResponse.create({ order: toOrder(earlier) });
  const now = new Date().toISOString();
  return transaction(async (client) => {
    // The service refuses a deactivated owner here; the floor's owner is the active bench user.
    await client.query(lockStanding, [ownerId]);
    const inserted = await client.query<OrderRow>(insertOrder, [
      randomUUID(),
      ownerId,
      request.requestId,
      requestHash,
      JSON.stringify(items),
      request.currencyCode,
      total.toString(),
      'pending',
      '1',
      now,
      now,
      '',
    ]);
    const row = inserted.rows[0];
    if (!row) throw failure(status.ABORTED, `order request ${request.requestId} conflicted`);
    const order = toOrder(row);
    const payload = Buffer.from(OrderCreated.encode(OrderCreated.create({ order })).finish());
    await client.query(insertOutbox, [
      randomUUID(),
      'order',
      row.id,
      'platform.order.v1.OrderCreated',
      payload,
      '{}',
    ]);
    return CreateOrderResponse.create({ order });
  });
}

/** A unary handler from a promise: its answer, or its error (INTERNAL when not a gRPC one). */
function unary<Request, Response>(handle: (request: Request) => Promise<Response>) {
  return (
    call: { request: Request },
    callback: (error: Partial<ServiceError> | null, response?: Response) => void,
  ) => {
    handle(call.request).then(
      (response) => callback(null, response),
      (error: Partial<ServiceError> & Error) =>
        callback(error.code !== undefined ? error : failure(status.INTERNAL, error.message)),
    );
  };
}

const server = new Server();
server.addService(OrderServiceService, {
  getOrder: unary(getOrder),
  createOrder: unary(createOrder),
});
const port = await new Promise<number>((resolvePort, reject) =>
  server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolvePort(bound),
  ),
);
// Before the ready line: the runner may signal as soon as it reads it.
const shutdown = () => server.tryShutdown(() => void pool.end().then(() => process.exit(0)));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
console.log(JSON.stringify({ msg: 'floor-server ready', address: `127.0.0.1:${port}` }));
