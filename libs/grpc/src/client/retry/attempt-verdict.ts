import { status as GrpcStatus, type StatusObject } from '@grpc/grpc-js';
import { statusFromMetadata } from '@platform/proto';
import { msFromDuration } from '@platform/core';

/** Trailer by which a server overrides the client's backoff (gRFC A6). */
export const retryPushbackKey = 'grpc-retry-pushback-ms';

/** What a failed attempt's status says about retrying the call. */
export interface AttemptVerdict {
  /**
   * The code means the call was not processed: UNAVAILABLE, or RESOURCE_EXHAUSTED with a
   * google.rpc.RetryInfo. CANCELLED, DEADLINE_EXCEEDED and the rest are never retried.
   */
  readonly retryableCode: boolean;
  /** The RetryInfo delay, in milliseconds: the least the client waits. */
  readonly retryInfoDelayMs: number | undefined;
  /**
   * The pushback trailer: a delay in milliseconds, `'stop'` when negative or malformed (do
   * not retry), `undefined` when absent.
   */
  readonly pushback: number | 'stop' | undefined;
}

export function judgeAttempt(status: StatusObject): AttemptVerdict {
  const retryDelay = statusFromMetadata(status.metadata)?.details.retryInfo?.retryDelay;
  const retryInfoDelayMs = retryDelay ? msFromDuration(retryDelay) : undefined;
  const [rawPushback] = status.metadata.get(retryPushbackKey);
  const pushback =
    rawPushback === undefined
      ? undefined
      : typeof rawPushback === 'string' && /^\d+$/.test(rawPushback.trim())
        ? Number(rawPushback.trim())
        : 'stop';
  const retryableCode =
    status.code === GrpcStatus.UNAVAILABLE ||
    (status.code === GrpcStatus.RESOURCE_EXHAUSTED && retryInfoDelayMs !== undefined);
  return { retryableCode, retryInfoDelayMs, pushback };
}
