import { isAbortError } from 'abort-controller-x';
import { ServerError, Status, type ServerMiddleware } from 'nice-grpc-common';
import type { Logger } from 'pino';

/** One pino line per call (method, code, duration), as nice-grpc's README logging example writes it. */
export function niceLoggingMiddleware(logger: Logger): ServerMiddleware {
  return async function* logging(call, context) {
    const started = performance.now();
    let code = Status.OK;
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      code =
        error instanceof ServerError ? error.code : isAbortError(error) ? Status.CANCELLED : Status.UNKNOWN;
      throw error;
    } finally {
      logger.info(
        { method: call.method.path, code: Status[code], durationMs: performance.now() - started },
        'call',
      );
    }
  };
}
