import type { Logger } from '@platform/observability';

/** kafkajs's CRASH event payload: `restart` says whether kafkajs restarts the consumer. */
export interface ConsumerCrash {
  readonly error: Error;
  readonly restart: boolean;
}

/** The error at the end of the `cause` chain: what the broker or the socket actually said. */
function rootCause(error: Error): Error {
  let current = error;
  for (let depth = 0; depth < 10 && current.cause instanceof Error; depth++) current = current.cause;
  return current;
}

/**
 * What a consumer's crash means for a person. kafkajs restarts a consumer after a retriable error
 * (a coordinator still loading on a fresh broker, a broker away for a while): that is logged once
 * at warn, in plain words, until the consumer joins its group again (then once at info). A crash
 * kafkajs does not restart from is logged at error and ends the process through `onFatal`.
 */
export class ConsumerCrashReport {
  private restarts = 0;

  constructor(
    private readonly logger: Logger,
    private readonly group: string,
    private readonly onFatal: ((error: Error) => void) | undefined,
  ) {}

  /** kafkajs's CRASH event; `stopping` when the consumer is being stopped (nothing to report). */
  crashed({ error, restart }: ConsumerCrash, stopping: boolean): void {
    if (stopping) return;
    if (!restart) {
      this.logger.error({ err: error, group: this.group }, 'event consumer crashed');
      this.onFatal?.(error);
      return;
    }
    this.restarts += 1;
    this.logger[this.restarts === 1 ? 'warn' : 'debug'](
      { group: this.group, error: rootCause(error).message, restarts: this.restarts },
      'event consumer restarting after a transient Kafka error',
    );
  }

  /** The consumer joined its group: after restarts, say it runs again. */
  joined(): void {
    if (this.restarts === 0) return;
    this.logger.info({ group: this.group, restarts: this.restarts }, 'event consumer running again');
    this.restarts = 0;
  }
}
