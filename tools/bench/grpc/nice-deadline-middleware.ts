import { ServerError, Status, type ServerMiddleware } from 'nice-grpc-common';

/**
 * The chain's default deadline for nice-grpc, which has no server deadline middleware: the
 * handler's signal also aborts after `defaultMs` and the call then ends DEADLINE_EXCEEDED.
 * (grpc-js itself ends calls at the deadline the client sent.)
 */
export function niceDeadlineMiddleware(defaultMs: number): ServerMiddleware {
  return async function* deadline(call, context) {
    const controller = new AbortController();
    const abort = () => controller.abort();
    const timer = setTimeout(abort, defaultMs);
    context.signal.addEventListener('abort', abort);
    try {
      return yield* call.next(call.request, { ...context, signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted && !context.signal.aborted) {
        throw new ServerError(Status.DEADLINE_EXCEEDED, `no answer within ${defaultMs} ms`);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', abort);
    }
  };
}
