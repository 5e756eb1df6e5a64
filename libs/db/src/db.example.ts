// A service's database at start and in a handler: open (PostgreSQL when DATABASE_URL is set,
// else PGlite in memory), migrate under the lock, then write state and an event row atomically.
// Run: DATABASE_URL=postgres://… node db.example.js (or without it, on PGlite).
import { migrate, openDatabase, TransactionCancelledError, withTransaction } from '@platform/db';
import { sql } from 'drizzle-orm';

const db = await openDatabase({
  url: process.env['DATABASE_URL'],
  inMemory: true,
  applicationName: 'user-service',
  statementTimeoutMs: 5_000,
  pool: { max: 10, idleTimeoutMs: 10_000, connectionTimeoutMs: 2_000 },
});
try {
  const { applied } = await migrate(db, {
    dir: new URL('./__fixtures__/example-migrations', import.meta.url),
  });
  console.log(`applied ${applied.length} migration(s) on ${db.driver}`);

  // Inside a gRPC handler the call's signal and deadline apply without passing them.
  await withTransaction(
    db,
    async (tx) => {
      await tx.execute(sql`insert into users (id, email) values ('u1', 'ada@example.com')`);
      await tx.execute(sql`insert into user_events (user_id, type) values ('u1', 'UserRegistered')`);
    },
    { timeoutMs: 2_000 },
  );
  console.log((await db.execute(sql`select type from user_events`)).rows);
} catch (error) {
  if (error instanceof TransactionCancelledError) console.error(`gave up (${error.kind}): ${error.message}`);
  throw error;
} finally {
  await db.close();
}
