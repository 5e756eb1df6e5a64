const brand = Symbol.for('@platform/db.TransactionCancelledError');

/** Why a transaction was cancelled. */
export type CancellationKind =
  /** The signal aborted: the gRPC call was cancelled by its client, or the server is shutting down. */
  | 'aborted'
  /** The time budget ran out: the call's deadline, `timeoutMs`, or the statement timeout. */
  | 'timeout';

/**
 * A transaction that was stopped before it finished: it was rolled back (or never started), and
 * its statement, if one was running on PostgreSQL, was cancelled on the server. `cause` holds
 * the signal's reason or the database error. `instanceof` works across duplicate installs.
 */
export class TransactionCancelledError extends Error {
  readonly kind: CancellationKind;

  constructor(kind: CancellationKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransactionCancelledError';
    this.kind = kind;
    Object.defineProperty(this, brand, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && brand in value;
  }
}
