import type { Logger } from '@platform/observability';
import { isTransientKafkaError } from '../kafka/transient-kafka-error.js';
import { cappedBackoffMs } from '../runtime/capped-backoff.js';

/** kafkajs's CRASH event payload: `restart` says whether kafkajs restarts the consumer. */
export interface ConsumerCrash {
  readonly error: Error;
  readonly restart: boolean;
}

/** Options of {@link ConsumerCrashReport}. */
export interface ConsumerCrashReportOptions {
  logger: Logger;
  group: string;
  /** Starts the consumer again after a transient crash kafkajs does not restart from. */
  restart(): void;
  /** The crash is for good: the process should exit non-zero. */
  onFatal: ((error: Error) => void) | undefined;
  /** First delay before such a restart (doubling, jittered, at most 30 s). Defaults to 1 s. */
  restartDelayMs?: number;
}

/** The error at the end of the `cause` chain: what the broker or the socket actually said. */
function rootCause(error: Error): Error {
  let current = error;
  for (let depth = 0; depth < 10 && current.cause instanceof Error; depth++) current = current.cause;
  return current;
}

const maxRestartDelayMs = 30_000;

/**
 * What a consumer's crash means, for the process and for a person.
 *
 * - kafkajs restarts a consumer after a retriable error (a coordinator still loading on a fresh
 *   broker, a broker away for a while).
 * - Some transient errors kafkajs marks non-retriable and does not restart from: a group
 *   coordinator not found right after a broker restart, a lock timeout. Those restart here, with
 *   a growing delay, for as long as the cluster stays away.
 * - Either is logged once at warn, in plain words, until the consumer joins its group again
 *   (then once at info).
 * - Any other crash (authentication, authorization, a configuration the broker refuses) is logged
 *   at error and ends the process through `onFatal`.
 */
export class ConsumerCrashReport {
  private restarts = 0;
  private ownRestarts = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ConsumerCrashReportOptions) {}

  /** kafkajs's CRASH event (or a failed restart); `stopping` when the consumer is being stopped. */
  crashed({ error, restart }: ConsumerCrash, stopping: boolean): void {
    if (stopping) return;
    const { logger, group } = this.options;
    let delayMs: number | undefined;
    if (!restart) {
      if (!isTransientKafkaError(error)) {
        logger.error({ err: error, group }, 'event consumer crashed');
        this.options.onFatal?.(error);
        return;
      }
      delayMs = this.scheduleRestart();
    }
    this.restarts += 1;
    logger[this.restarts === 1 ? 'warn' : 'debug'](
      {
        group,
        error: rootCause(error).message,
        restarts: this.restarts,
        ...(delayMs !== undefined && { delayMs }),
      },
      'event consumer restarting after a transient Kafka error',
    );
  }

  /** The consumer joined its group: after restarts, say it runs again. */
  joined(): void {
    this.ownRestarts = 0;
    if (this.restarts === 0) return;
    this.options.logger.info(
      { group: this.options.group, restarts: this.restarts },
      'event consumer running again',
    );
    this.restarts = 0;
  }

  /** Cancels a pending restart (the consumer is stopping). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleRestart(): number {
    this.ownRestarts += 1;
    const delayMs = Math.round(
      cappedBackoffMs(this.ownRestarts, this.options.restartDelayMs ?? 1_000, maxRestartDelayMs),
    );
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.options.restart();
    }, delayMs);
    return delayMs;
  }
}
