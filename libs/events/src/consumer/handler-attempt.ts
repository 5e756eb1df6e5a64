import {
  deadlineExceeded,
  openCall,
  remainingMs,
  runInCall,
  type CallScope,
  type OpenedCall,
} from '@platform/core';
import { TransactionCancelledError, type Database, type DatabaseSchema } from '@platform/db';
import type { EventContext, HandlerBinding } from './handler-binding.js';
import { inbox } from './inbox.js';

/**
 * The context a handler gets. Its fields are set once and `signal` is a getter on the prototype:
 * the scope makes its signal and deadline timer only when read, and most handlers never read it.
 * (An object literal with a getter, spread per record, cost 5% of the consumer's CPU.)
 */
class AttemptEventContext implements EventContext {
  readonly envelope: EventContext['envelope'];
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly attempt: number;
  readonly #scope: CallScope;

  constructor(
    context: AttemptContext,
    scope: CallScope,
    readonly stopping: AbortSignal,
    readonly tx: EventContext['tx'],
  ) {
    this.envelope = context.envelope;
    this.topic = context.topic;
    this.partition = context.partition;
    this.offset = context.offset;
    this.attempt = context.attempt;
    this.#scope = scope;
  }

  get signal(): AbortSignal {
    return this.#scope.signal;
  }
}

/** What the runtime runs every attempt of a consumer group's handlers with. */
export interface HandlerAttemptOptions {
  /** The consumer group, namespaced: the inbox's key with the event id. */
  readonly group: string;
  /** With a database, the handler runs in the transaction that records the event in the inbox. */
  readonly db?: Database<DatabaseSchema> | undefined;
  /** Time budget of one attempt, its transaction and outgoing calls included, in ms. */
  readonly timeoutMs: number;
  /** Aborts when the consumer's stop runs out of time: every attempt's scope follows it. */
  readonly signal: AbortSignal;
  /** Aborts when the consumer begins to stop (`EventContext.stopping`). */
  readonly stopping: AbortSignal;
}

/** The handler context of one attempt, but for what the attempt itself provides. */
export type AttemptContext = Omit<EventContext, 'tx' | 'signal' | 'stopping'>;

/**
 * Runs one attempt of `binding` on `event` inside a call scope of its own (`@platform/core`'s
 * `openCall` + `runInCall`), as the gRPC server chain runs a call: the handler and everything it
 * starts see `remainingMs()` and the scope's signal, which aborts when the time budget runs out
 * or the consumer's stop does. Transactions (`withTransaction`) and outgoing gRPC calls inherit
 * both, as they do in a gRPC handler.
 *
 * With a database, the handler runs in one transaction with the inbox claim; false (the handler
 * not run) when the group already applied the event. Without, the attempt fails when its scope
 * ends first (the handler is left to finish, its outgoing calls cancelled). Rejects with the
 * handler's error.
 */
export async function attemptHandler<T>(
  binding: HandlerBinding<T>,
  event: T,
  context: AttemptContext,
  options: HandlerAttemptOptions,
): Promise<boolean> {
  const { db, group, stopping, timeoutMs } = options;
  const call = openCall({ name: `${group}/${context.envelope.type}`, timeoutMs, signal: options.signal });
  const { scope } = call;
  try {
    return await runInCall(scope, async () => {
      if (!db) {
        const handled = binding.handle(event, new AttemptEventContext(context, scope, stopping, undefined));
        await untilScopeEnds(handled, remainingMs(scope), options.signal, () =>
          options.signal.aborted ? options.signal.reason : new HandlerTimeoutError(timeoutMs),
        );
        return true;
      }
      // The scope's budget and the consumer's stop, given explicitly so that running out of
      // time cancels the transaction as a timeout (TransactionCancelledError kind "timeout").
      return inbox.applyOnce(
        db,
        group,
        context.envelope,
        (tx) => binding.handle(event, new AttemptEventContext(context, scope, stopping, tx)),
        {
          signal: options.signal,
          timeoutMs: remainingMs(scope),
        },
      );
    });
  } catch (error) {
    endScope(call, options.signal, error);
    throw error;
  } finally {
    call.close();
  }
}

/** The attempt without a database ran out of its time budget. */
class HandlerTimeoutError extends Error {
  constructor(timeoutMs: number | undefined) {
    super(`the handler did not finish within ${timeoutMs} ms`);
    this.name = 'HandlerTimeoutError';
  }
}

/**
 * When the attempt failed on the consumer's stop or on a time limit (its budget; on PostgreSQL a
 * statement's), the scope ends with it now, not when its own timer (set for the same instant)
 * fires: what the handler left running (its outgoing calls, a signal it listens to) is cancelled
 * as the attempt fails.
 */
function endScope(call: OpenedCall, stop: AbortSignal, error: unknown): void {
  if (stop.aborted) call.abort(stop.reason);
  else if (
    error instanceof HandlerTimeoutError ||
    (error instanceof TransactionCancelledError && error.kind === 'timeout')
  )
    call.abort(deadlineExceeded());
}

/**
 * Settles as `work` does, or rejects with `why()` once `budgetMs` passes or `stop` aborts first
 * (`work` is left to finish). The same ends as the scope's signal, without making it: a timer
 * and a listener cost a fraction of an AbortSignal with its own (a quarter of the runtime's CPU).
 */
function untilScopeEnds<T>(
  work: Promise<T>,
  budgetMs: number,
  stop: AbortSignal,
  why: () => unknown,
): Promise<T> {
  if (stop.aborted || budgetMs <= 0) {
    work.catch(() => undefined);
    return Promise.reject(why());
  }
  let rejectEnd: (reason: unknown) => void = () => undefined;
  const end = new Promise<never>((_resolve, reject) => (rejectEnd = reject));
  const ended = () => rejectEnd(why());
  const timer = Number.isFinite(budgetMs) ? setTimeout(ended, budgetMs) : undefined;
  stop.addEventListener('abort', ended, { once: true });
  return Promise.race([work, end]).finally(() => {
    clearTimeout(timer);
    stop.removeEventListener('abort', ended);
  });
}
