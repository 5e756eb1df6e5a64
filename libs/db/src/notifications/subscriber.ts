import { AsyncResource } from 'node:async_hooks';
import type { ListenOptions, NotificationHandler, Subscription } from './listen-options.js';

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** The error `listen` rejects with once the database is closed. */
export function databaseClosedError(channel: string): Error {
  return new Error(`cannot listen on channel "${channel}": the database is closed`);
}

/**
 * One `listen` call, as the drivers hold it. Its callbacks never throw into the driver (a
 * throw inside pg's notification event would break the connection's message parsing, a
 * rejection would be unhandled): failures go to `onError`.
 */
export class Subscriber {
  private active = true;
  private closing: Promise<void> | undefined;
  /**
   * Callbacks run in the async context of the `listen` call, never in the writer's: on PGlite a
   * notification is delivered inside the committing query, and a handler running in that gRPC
   * call's context would see its deadline, cancellation and principal as its own.
   */
  private readonly inListenContext = new AsyncResource('platform.db.listen');

  constructor(
    readonly channel: string,
    private readonly onNotification: NotificationHandler,
    private readonly options: ListenOptions,
  ) {}

  deliver(payload: string): void {
    if (this.active) this.invoke(() => this.onNotification(payload));
  }

  reconnected(): void {
    const { onReconnect } = this.options;
    if (this.active && onReconnect) this.invoke(onReconnect);
  }

  failed(error: unknown): void {
    if (this.active) this.report(error);
  }

  /** Stops every callback at once, ahead of the driver's clean-up. */
  stop(): void {
    this.active = false;
  }

  /** The caller's handle: `close` stops delivery now and runs `unsubscribe` once. */
  subscription(unsubscribe: () => Promise<void>): Subscription {
    return {
      channel: this.channel,
      close: () => {
        this.stop();
        this.closing ??= unsubscribe();
        return this.closing;
      },
    };
  }

  private invoke(callback: () => unknown): void {
    try {
      const result = this.inListenContext.runInAsyncScope(callback);
      if (isPromiseLike(result)) result.then(undefined, (error: unknown) => this.report(error));
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    try {
      const result: unknown = this.options.onError?.(asError(error));
      if (isPromiseLike(result)) result.then(undefined, () => undefined);
    } catch {
      // onError itself failed: there is nobody left to tell.
    }
  }
}
