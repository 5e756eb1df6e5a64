import type { MethodInfo } from '../../call/method-info.js';

/** Options of the client deadline interceptor. */
export interface DeadlineClientOptions {
  /**
   * Deadline in milliseconds for calls the caller gave none: a number for every unary call, or
   * a function of the method path (return `undefined` for none). Long-lived streams usually
   * have none. Defaults to 10 000 ms for unary calls and none for streams.
   */
  defaultDeadlineMs?: number | ((path: string, method: MethodInfo) => number | undefined);
  /**
   * Inside a server call, outgoing calls end this many milliseconds before the incoming
   * deadline, leaving the handler time to answer with what it has. Defaults to 10 ms.
   */
  marginMs?: number;
}
