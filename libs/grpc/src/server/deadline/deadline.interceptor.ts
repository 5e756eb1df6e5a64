import { ResponderBuilder, ServerListenerBuilder, status as GrpcStatus } from '@grpc/grpc-js';
import type { MethodInfo } from '../../call/method-info.js';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import { remainingMs } from '@platform/core';
import type { DeadlineServerOptions } from './deadline-options.js';

const defaultMinRemainingMs = 5;
const defaultUnaryDeadlineMs = 30_000;

/**
 * Server deadline interceptor: applies a default deadline when the caller sent none (and
 * enforces it: grpc-js only enforces deadlines that arrived in `grpc-timeout`), and rejects
 * calls with less than `minRemainingMs` left before the handler runs. The effective deadline
 * is in the call context, where `remainingMs()` and outgoing calls read it.
 */
export function deadlineServerInterceptor(options: DeadlineServerOptions = {}) {
  const minRemainingMs = options.minRemainingMs ?? defaultMinRemainingMs;
  const { defaultDeadlineMs = defaultUnaryDeadlineMs } = options;
  const defaultFor =
    typeof defaultDeadlineMs === 'function'
      ? defaultDeadlineMs
      : (method: MethodInfo) => (method.type === 'unary' ? defaultDeadlineMs : undefined);

  return createServerInterceptor('deadline', (context, wire) => {
    const fallbackMs = context.deadline === undefined ? defaultFor(context.method) : undefined;
    if (fallbackMs !== undefined) {
      context.deadline = Date.now() + fallbackMs;
      const timer = setTimeout(
        () =>
          wire.sendStatus({
            code: GrpcStatus.DEADLINE_EXCEEDED,
            details: 'Deadline exceeded (server default)',
          }),
        fallbackMs,
      );
      timer.unref();
      context.onEnd(() => clearTimeout(timer));
    }
    // Not calling next() on a rejected call's metadata is enough: grpc-js holds back its
    // messages until metadata is passed on, so the handler never sees the call.
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const left = remainingMs(context);
        if (left < minRemainingMs) {
          wire.sendStatus({
            code: GrpcStatus.DEADLINE_EXCEEDED,
            details: `Deadline too close to start: ${left} ms left, at least ${minRemainingMs} ms needed`,
          });
          return;
        }
        next(metadata);
      })
      .build();
    return new ResponderBuilder().withStart((next) => next(listener)).build();
  });
}
