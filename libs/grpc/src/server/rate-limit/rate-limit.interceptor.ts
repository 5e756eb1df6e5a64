import { ResponderBuilder, ServerListenerBuilder } from '@grpc/grpc-js';
import type { MethodInfo } from '../../call/method-info.js';
import { createServerInterceptor } from '../../chain/create-server-interceptor.js';
import type { CallContext } from '../context/call-context.js';
import { ResourceExhaustedError } from '@platform/core';
import { infrastructureMethods, not } from '../../call/method-selector.js';
import type { RateLimit, RateLimitOptions } from './rate-limit-options.js';
import { TokenBuckets } from './token-buckets.js';
import { statusOf } from '../../call/grpc-error-shape.js';

const defaultMaxBuckets = 10_000;
const defaultReason = 'RATE_LIMITED';

function checkLimit(name: string, limit: RateLimit): void {
  if (!(limit.ratePerSecond > 0) || !Number.isFinite(limit.ratePerSecond)) {
    throw new Error(`${name}: ratePerSecond must be a positive number`);
  }
  if (!(limit.burst >= 1) || !Number.isFinite(limit.burst))
    throw new Error(`${name}: burst must be at least 1`);
}

/** The host of a grpc-js peer string (`127.0.0.1:5000`, `[::1]:5000`, `unix:/path`). */
export function peerHost(peer: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(peer);
  if (bracketed?.[1]) return bracketed[1];
  const hostPort = /^([^:]+):\d+$/.exec(peer);
  return hostPort?.[1] ?? peer;
}

/** Who a call is counted against: its principal, else its peer's address. */
function callerOf(context: CallContext): { key: string; subject: string } {
  const principal = context.principal;
  if (principal) return { key: `principal:${principal.subject}`, subject: principal.subject };
  const host = peerHost(context.peer);
  return { key: `peer:${host}`, subject: `peer:${host}` };
}

/**
 * Server rate-limit interceptor: token buckets per caller (the principal's subject; the
 * peer's address for anonymous calls) for the selected methods. Each call takes one token
 * when its metadata arrives, whatever its kind (stream messages are not counted). Over the
 * limit, the call ends RESOURCE_EXHAUSTED before the handler, with RetryInfo (when the next
 * token is there) and QuotaFailure (the caller as subject).
 *
 * Place it after the auth interceptor: that is when `context.principal` is known.
 */
export function rateLimitServerInterceptor(options: RateLimitOptions) {
  checkLimit('rate limit', options);
  const overrides = options.overrides ?? {};
  for (const [name, limit] of Object.entries(overrides)) checkLimit(`rate limit override ${name}`, limit);
  const buckets = new TokenBuckets(options.maxBuckets ?? defaultMaxBuckets, options.clock ?? Date.now);
  const reason = options.reason ?? defaultReason;
  const defaultLimit: RateLimit = { ratePerSecond: options.ratePerSecond, burst: options.burst };

  const limitOf = (method: MethodInfo): { scope: string; limit: RateLimit } => {
    for (const scope of [method.path, method.service]) {
      const limit = Object.hasOwn(overrides, scope) ? overrides[scope] : undefined;
      if (limit) return { scope, limit };
    }
    return { scope: '', limit: defaultLimit };
  };

  return createServerInterceptor(
    'rate limit',
    (context, wire) => {
      const listener = new ServerListenerBuilder()
        .withOnReceiveMetadata((metadata, next) => {
          const caller = callerOf(context);
          const { scope, limit } = limitOf(context.method);
          const result = buckets.take(`${caller.key}\n${scope}`, limit);
          if (result.allowed) {
            next(metadata);
            return;
          }
          const error = new ResourceExhaustedError(
            'Rate limit exceeded',
            {
              retryDelayMs: result.retryDelayMs,
              violations: [
                {
                  subject: caller.subject,
                  description: `At most ${limit.ratePerSecond} calls per second (bursts of ${limit.burst})${scope ? ` to ${scope}` : ''}`,
                },
              ],
            },
            { reason },
          );
          wire.sendStatus(statusOf(error));
        })
        .build();
      return new ResponderBuilder().withStart((next) => next(listener)).build();
    },
    options.selector ?? not(infrastructureMethods),
  );
}
