import { Code } from '@platform/core';

const brand = Symbol.for('@platform/db.TransactionCancelledError');

/** Why a transaction was cancelled. */
export type CancellationKind =
  /** The signal aborted: the caller cancelled, or the process is shutting down. */
  | 'aborted'
  /** The time budget ran out: the scope's deadline, `timeoutMs`, or the statement timeout. */
  | 'timeout';

/**
 * The google.rpc.Code of each kind, so that the error mapping at the edge (`toPlatformError` of
 * @platform/core) answers it as it is: CANCELLED and DEADLINE_EXCEEDED.
 */
const codes = { aborted: Code.CANCELLED, timeout: Code.DEADLINE_EXCEEDED } as const satisfies Record<
  CancellationKind,
  Code
>;

/**
 * A transaction that was stopped before it finished: it was rolled back (or never started), and
 * its statement, if one was running on PostgreSQL, was cancelled on the server. `cause` holds
 * the signal's reason or the database error. `code` is the google.rpc.Code it answers with:
 * CANCELLED for `aborted`, DEADLINE_EXCEEDED for `timeout`. `instanceof` works across
 * duplicate installs.
 */
export class TransactionCancelledError extends Error {
  readonly kind: CancellationKind;
  readonly code: (typeof codes)[CancellationKind];

  constructor(kind: CancellationKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransactionCancelledError';
    this.kind = kind;
    this.code = codes[kind];
    Object.defineProperty(this, brand, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && brand in value;
  }
}
