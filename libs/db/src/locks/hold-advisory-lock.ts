import type { Database, DatabaseSchema } from '../database.js';
import { driverOf, type SqlSession } from '../drivers/driver.js';

/** A session-level advisory lock held by this process until `release()` or until its connection is lost. */
export interface AdvisoryLock {
  /** Aborts when the lock's connection fails: another process may hold the lock from then on. */
  readonly lost: AbortSignal;
  /** Unlocks and returns the connection. Idempotent. */
  release(): Promise<void>;
}

/** Options of {@link holdAdvisoryLock}. */
export interface HoldAdvisoryLockOptions {
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** While another session holds the lock, try again this often. Defaults to 2000 ms. */
  retryIntervalMs?: number;
  /** While held, the connection is checked this often, so a lost one is noticed. Defaults to 5000 ms. */
  heartbeatIntervalMs?: number;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits until this process holds the advisory lock `name` (PostgreSQL's `pg_try_advisory_lock`
 * on the 64-bit hash of the name), on a connection of its own kept for as long as the lock is
 * held: one leader among a service's replicas, e.g. the outbox relay. On PGlite, one process
 * owns the database, so the lock is granted at once.
 *
 * Rejects when `signal` aborts or the database cannot be reached (the caller retries).
 */
export async function holdAdvisoryLock<Schema extends DatabaseSchema>(
  db: Database<Schema>,
  name: string,
  options: HoldAdvisoryLockOptions = {},
): Promise<AdvisoryLock> {
  const driver = driverOf(db);
  const retryIntervalMs = options.retryIntervalMs ?? 2_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5_000;
  for (;;) {
    options.signal?.throwIfAborted();
    const held = await new Promise<AdvisoryLock | undefined>((resolve, reject) => {
      driver
        .withSession(async (session: SqlSession) => {
          const [row] = await session.query<{ locked: boolean }>(
            'select pg_try_advisory_lock(hashtextextended($1, 0)) as locked',
            [name],
          );
          if (!row?.locked) return resolve(undefined);
          const lost = new AbortController();
          const released = new AbortController();
          let releasing: Promise<void> | undefined;
          let sessionDone: () => void = () => undefined;
          const sessionEnd = new Promise<void>((done) => (sessionDone = done));
          resolve({
            lost: lost.signal,
            release() {
              released.abort();
              releasing ??= sessionEnd;
              return releasing;
            },
          });
          try {
            while (!released.signal.aborted) {
              await sleep(heartbeatIntervalMs, released.signal).catch(() => undefined);
              if (released.signal.aborted) break;
              await session.query('select 1');
            }
            await session.query('select pg_advisory_unlock(hashtextextended($1, 0))', [name]);
          } catch (error) {
            lost.abort(error);
          } finally {
            sessionDone();
          }
        })
        .catch(reject);
    });
    if (held) return held;
    await sleep(retryIntervalMs, options.signal);
  }
}
