import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { contextInterceptor } from '@platform/grpc';
import { GetOrderRequest, GetOrderResponse, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  TransactionCancelledError,
  transactionSignal,
  withTransaction,
  type Database,
  type Transaction,
} from '@platform/db';
import {
  databaseTargets,
  pgliteTarget,
  postgresTarget,
  preparePglite,
  type OpenedDatabase,
} from '@platform/db/testing';

// The database layer reads the call scope; the gRPC chain's context interceptor opens one per
// call. This suite holds the two together: a transaction in a gRPC handler ends with the call.

beforeAll(() => preparePglite());

/** A promise with its resolve function, for holding a transaction open at a chosen point. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

let server: RunningGrpcServer | undefined;
let client: OrderServiceClient | undefined;
let opened: OpenedDatabase | undefined;
const releases: (() => void)[] = [];

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  client?.close();
  await server?.stop();
  await opened?.dispose();
  server = client = opened = undefined;
});

/** Serves GetOrder with a handler running `work` in a transaction; reports how it ended. */
async function serveTransaction(db: Database, work: (tx: Transaction) => Promise<unknown>) {
  const ended = deferred<unknown>();
  let signalInHandler: AbortSignal | undefined;
  server = await startGrpcServer({
    interceptors: [contextInterceptor],
    services: [
      {
        definition: OrderServiceService,
        implementation: {
          getOrder: (_call: unknown, callback: grpc.sendUnaryData<GetOrderResponse>) => {
            signalInHandler = transactionSignal();
            withTransaction(db, work).then(
              () => {
                ended.resolve('committed');
                callback(null, GetOrderResponse.create({ order: null }));
              },
              (error: unknown) => {
                ended.resolve(error);
                callback(error as Error);
              },
            );
          },
        },
      },
    ],
  });
  client = new OrderServiceClient(server.address, grpc.credentials.createInsecure());
  return { ended: ended.promise, signal: () => signalInHandler };
}

function connectedClient(): OrderServiceClient {
  if (!client) throw new Error('serveTransaction() first');
  return client;
}

async function setUp(target: (typeof databaseTargets)[number]) {
  opened = await target.open();
  await opened.db.execute(sql`create table events (id text primary key)`);
  return opened.db;
}

async function eventIds(db: Database) {
  return (await db.execute<{ id: string }>(sql`select id from events order by id`)).rows.map((row) => row.id);
}

describe('transactionSignal', () => {
  it('is undefined outside a gRPC call', () => {
    expect(transactionSignal()).toBeUndefined();
  });
});

for (const target of databaseTargets) {
  describe.skipIf(target.skip)(`a transaction inside a gRPC call on ${target.name}`, () => {
    it('commits when the call completes, under the call signal', async () => {
      const db = await setUp(target);
      const served = await serveTransaction(db, (tx) => tx.execute(sql`insert into events values ('e1')`));

      await new Promise((resolve, reject) =>
        connectedClient().getOrder(
          GetOrderRequest.create({ orderId: '1' }),
          new grpc.Metadata(),
          { deadline: Date.now() + 10_000 },
          (error) => (error ? reject(error) : resolve(undefined)),
        ),
      );

      expect(await served.ended).toBe('committed');
      expect(served.signal()).toBeInstanceOf(AbortSignal);
      expect(await eventIds(db)).toEqual(['e1']);
    });

    it('is rolled back when the client cancels while the handler awaits other work', async () => {
      const db = await setUp(target);
      const downstream = deferred();
      releases.push(downstream.resolve);
      const written = deferred();
      const served = await serveTransaction(db, async (tx) => {
        await tx.execute(sql`insert into events values ('e1')`);
        written.resolve();
        await downstream.promise;
      });

      const call = connectedClient().getOrder(GetOrderRequest.create({ orderId: '1' }), () => undefined);
      await written.promise;
      call.cancel();

      const outcome = await served.ended;
      expect(outcome).toBeInstanceOf(TransactionCancelledError);
      expect((outcome as TransactionCancelledError).kind).toBe('aborted');
      expect(await eventIds(db)).toEqual([]);
    });
  });
}

describe.skipIf(postgresTarget.skip)('a long statement inside a gRPC call on postgres', () => {
  it('is cancelled on the server when the call deadline passes', async () => {
    opened = await postgresTarget.open();
    const db = opened.db;
    await db.execute(sql`create table events (id text primary key)`);
    const marker = `deadline_${randomBytes(4).toString('hex')}`;
    const served = await serveTransaction(db, async (tx) => {
      await tx.execute(sql`insert into events values ('e1')`);
      await tx.execute(sql.raw(`select pg_sleep(60) /* ${marker} */`));
    });

    const error = await new Promise<grpc.ServiceError>((resolve) =>
      connectedClient().getOrder(
        GetOrderRequest.create({ orderId: '1' }),
        new grpc.Metadata(),
        { deadline: Date.now() + 500 },
        (failure) => resolve(failure as grpc.ServiceError),
      ),
    );
    const outcome = await served.ended;

    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(outcome).toBeInstanceOf(TransactionCancelledError);
    const running = await db.execute<{ count: number }>(
      sql`select count(*)::int as count from pg_stat_activity where state = 'active' and query like ${`%${marker}%`} and pid <> pg_backend_pid()`,
    );
    expect(running.rows[0]?.count).toBe(0);
    expect(await eventIds(db)).toEqual([]);
  });
});

describe('a statement that blocks PGlite past the call deadline', () => {
  it('runs to completion, then its result is discarded and the transaction rolled back', async () => {
    opened = await pgliteTarget.open();
    const db = opened.db;
    await db.execute(sql`create table events (id text primary key)`);
    let statementReturned = false;
    const served = await serveTransaction(db, async (tx) => {
      await tx.execute(sql`insert into events values ('e1')`);
      await tx.execute(sql`select pg_sleep(0.6)`);
      statementReturned = true;
      await tx.execute(sql`insert into events values ('e2')`);
    });

    const error = await new Promise<grpc.ServiceError>((resolve) =>
      connectedClient().getOrder(
        GetOrderRequest.create({ orderId: '1' }),
        new grpc.Metadata(),
        { deadline: Date.now() + 200 },
        (failure) => resolve(failure as grpc.ServiceError),
      ),
    );
    const outcome = await served.ended;

    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(outcome).toBeInstanceOf(TransactionCancelledError);
    expect(statementReturned).toBe(false);
    expect(await eventIds(db)).toEqual([]);
  });
});
