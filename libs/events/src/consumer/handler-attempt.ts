import type { Database, DatabaseSchema } from '@platform/db';
import type { EventContext, HandlerBinding } from './handler-binding.js';
import { inbox } from './inbox.js';

/** What the runtime runs every attempt of a consumer group's handlers with. */
export interface HandlerAttemptOptions {
  /** The consumer group, namespaced: the inbox's key with the event id. */
  readonly group: string;
  /** With a database, the handler runs in the transaction that records the event in the inbox. */
  readonly db?: Database<DatabaseSchema> | undefined;
  /** Bound of one attempt, its transaction included, in ms. */
  readonly timeoutMs: number;
  /** Aborts when the consumer's stop runs out of time (`EventContext.signal`). */
  readonly signal: AbortSignal;
  /** Aborts when the consumer begins to stop (`EventContext.stopping`). */
  readonly stopping: AbortSignal;
}

/** The handler context of one attempt, but for what the attempt itself provides. */
export type AttemptContext = Omit<EventContext, 'tx' | 'signal' | 'stopping'>;

/**
 * Runs one attempt of `binding` on `event`. With a database: in one transaction with the inbox
 * claim, bounded by the signal and the time budget; false (the handler not run) when the group
 * already applied the event. Without: raced against the time budget (the handler is left to
 * finish, its attempt failed). Rejects with the handler's error.
 */
export async function attemptHandler<T>(
  binding: HandlerBinding<T>,
  event: T,
  context: AttemptContext,
  options: HandlerAttemptOptions,
): Promise<boolean> {
  const { db, group, signal, stopping, timeoutMs } = options;
  if (!db) {
    await withTimeout(binding.handle(event, { ...context, signal, stopping, tx: undefined }), timeoutMs);
    return true;
  }
  return inbox.applyOnce(
    db,
    group,
    context.envelope,
    (tx) => binding.handle(event, { ...context, signal, stopping, tx }),
    { signal, timeoutMs },
  );
}

/** Rejects when `work` has not settled within `timeoutMs` (the attempt fails; `work` is left to finish). */
async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the handler did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
