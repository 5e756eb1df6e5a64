import type { DatabaseSchema, Transaction } from '@platform/db';
import type { EventType } from '../contracts/event-type.js';
import type { EventEnvelope } from '../envelope/cloud-event-headers.js';

/** What a handler knows besides the event. */
export interface EventContext {
  readonly envelope: EventEnvelope;
  /** Where the event was first published (also for events coming back from the retry topic). */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /**
   * The transaction that also records the event in the inbox: write the handler's effect with
   * it and both commit together (a redelivery then finds the inbox row and is skipped).
   * `undefined` for consumers without a database, whose handlers must be idempotent themselves.
   */
  readonly tx: Transaction<DatabaseSchema> | undefined;
  /** 1 for the first attempt; counts in-process attempts and retry-topic passes. */
  readonly attempt: number;
  /**
   * The attempt's call scope's signal (`currentScope().signal` of `@platform/core`): aborts when
   * the attempt's time budget runs out or the consumer's stop runs out of time. Transactions and
   * outgoing gRPC calls made in the handler already follow it.
   */
  readonly signal: AbortSignal;
  /**
   * Aborts as soon as the consumer begins to stop. A handler that is only waiting (nothing done
   * yet) may give up then by throwing: no further attempt is made, its record is not committed,
   * and the group delivers it again. Work already under way should rather finish (`signal`).
   */
  readonly stopping: AbortSignal;
}

export type EventHandler<T> = (event: T, context: EventContext) => Promise<void>;

/** One event type and its handler, for a consumer's `handlers`. */
export interface HandlerBinding<T = unknown> {
  readonly eventType: EventType<T>;
  readonly handle: EventHandler<T>;
}

/** Binds a handler to an event type: `on(orderCreated, async (event, ctx) => …)`. */
export function on<T>(eventType: EventType<T>, handle: EventHandler<T>): HandlerBinding<T> {
  return { eventType, handle } as HandlerBinding<T>;
}

/** A binding of any event type: what a consumer's `handlers` list holds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each binding keeps its own event type
export type AnyHandlerBinding = HandlerBinding<any>;
