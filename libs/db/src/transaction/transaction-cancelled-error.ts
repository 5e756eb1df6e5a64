const brand = Symbol.for('@platform/db.TransactionCancelledError');

/** Why a transaction was cancelled. */
export type CancellationKind =
  /** The signal aborted: the gRPC call was cancelled by its client, or the server is shutting down. */
  | 'aborted'
  /** The time budget ran out: the call's deadline, `timeoutMs`, or the statement timeout. */
  | 'timeout';

/**
 * The gRPC status code of each kind, numeric as on grpc-js errors, so that the error mapping at
 * the edge (`toPlatformError` of @platform/grpc) answers it as it is: CANCELLED (1) and
 * DEADLINE_EXCEEDED (4).
 */
const grpcCodes = { aborted: 1, timeout: 4 } as const satisfies Record<CancellationKind, number>;

/**
 * A transaction that was stopped before it finished: it was rolled back (or never started), and
 * its statement, if one was running on PostgreSQL, was cancelled on the server. `cause` holds
 * the signal's reason or the database error. `code` is the gRPC status it answers with:
 * CANCELLED (1) for `aborted`, DEADLINE_EXCEEDED (4) for `timeout`. `instanceof` works across
 * duplicate installs.
 */
export class TransactionCancelledError extends Error {
  readonly kind: CancellationKind;
  readonly code: (typeof grpcCodes)[CancellationKind];

  constructor(kind: CancellationKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransactionCancelledError';
    this.kind = kind;
    this.code = grpcCodes[kind];
    Object.defineProperty(this, brand, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && brand in value;
  }
}
