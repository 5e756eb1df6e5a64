import type { MethodInfo } from '../../call/method-info.js';

/** Options of the server deadline interceptor. */
export interface DeadlineServerOptions {
  /**
   * Calls arriving with less than this many milliseconds left are answered DEADLINE_EXCEEDED
   * before the handler runs: they could not finish, and starting them wastes work.
   * Defaults to 5 ms.
   */
  minRemainingMs?: number;
  /**
   * Deadline in milliseconds applied when the caller sent none: a number for every unary call,
   * or a function per method (return `undefined` for none). Long-lived streams usually have
   * none. Defaults to 30 000 ms for unary calls and none for streams.
   */
  defaultDeadlineMs?: number | ((method: MethodInfo) => number | undefined);
}
