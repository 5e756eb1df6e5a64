import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from 'pino';

/** One pino line per call (method, code, duration), written when the status goes out. */
export function pinoLogInterceptor(logger: Logger): ServerInterceptor {
  return (method, call) => {
    const started = performance.now();
    return new ServerInterceptingCall(call, {
      sendStatus: (statusObject, next) => {
        logger.info(
          { method: method.path, code: status[statusObject.code], durationMs: performance.now() - started },
          'call',
        );
        next(statusObject);
      },
    });
  };
}
