import type { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { ErrorDetails } from '@platform/proto';

/** How one attempt fails. */
export interface Fault {
  /** Status code the attempt ends with. */
  code: GrpcStatus;
  /** Status message. Defaults to `Injected <CODE NAME>`. */
  message?: string;
  /** Adds a google.rpc.RetryInfo with this delay, in milliseconds. */
  retryDelayMs?: number;
  /** Further google.rpc details for the `grpc-status-details-bin` trailer. */
  details?: ErrorDetails;
  /**
   * Value of the `grpc-retry-pushback-ms` trailer (gRFC A6). A string is sent as is, to test
   * malformed values. Defaults to no trailer.
   */
  pushbackMs?: number | string;
  /**
   * Server-streaming and bidi methods: response messages sent before the failure, so a
   * stream can be dropped mid-way. Defaults to 0.
   */
  afterMessages?: number;
}

/** What a method does for each attempt. Unscripted methods answer OK at once. */
export interface MethodScript {
  /**
   * Attempt n (counting from 1) fails with `faults[n - 1]`, or succeeds where that entry is
   * `undefined`; attempts after the list follow `thenFault`.
   */
  faults?: readonly (Fault | undefined)[];
  /** How every attempt after those in `faults` fails. Defaults to none: they succeed. */
  thenFault?: Fault;
  /** Waits this long before answering each attempt, in milliseconds. Defaults to 0 ms. */
  delayMs?: number;
  /**
   * Never ends a successful attempt (after sending its stream messages): the attempt waits for
   * the client to cancel or its deadline to pass. Defaults to false.
   */
  hang?: boolean;
  /** Response of unary and client-streaming methods. Defaults to the empty response message. */
  response?: unknown;
  /** Messages of server-streaming and bidi methods. Defaults to one empty response message. */
  messages?: readonly unknown[];
}

/** What the server saw of one attempt. */
export interface AttemptRecord {
  /** Full method path. */
  readonly path: string;
  /** Attempt number for this method, counting from 1. */
  readonly attempt: number;
  /** The request metadata (to assert `grpc-previous-rpc-attempts`, `traceparent` …). */
  readonly metadata: Metadata;
  /** When the handler started, epoch milliseconds. */
  readonly receivedAt: number;
  /** The call's deadline, epoch milliseconds; `undefined` when the client set none. */
  readonly deadline: number | undefined;
  /** Request messages received so far. */
  readonly requests: unknown[];
  /** Whether the server observed the call being cancelled (by the client or its deadline). */
  readonly cancelled: boolean;
  /** Resolves when the server observes the cancellation. */
  readonly whenCancelled: Promise<void>;
}
