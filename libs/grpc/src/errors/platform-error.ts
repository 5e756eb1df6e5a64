import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { encodeStatus, statusDetailsKey, type Duration, type ErrorDetails } from '@platform/proto';

const kindsKey = Symbol.for('@platform/grpc.errorKinds');

/** Options every platform error takes. */
export interface PlatformErrorOptions {
  /** Stable machine-readable reason, UPPER_SNAKE_CASE (`ORDER_NOT_FOUND`). Defaults per class. */
  reason?: string;
  /**
   * ErrorInfo domain, for example `order.platform`. Defaults to the domain the server's error
   * interceptor is configured with.
   */
  domain?: string;
  /** ErrorInfo metadata: machine-readable context (`{ orderId }`). Never secrets. */
  metadata?: Record<string, string>;
  /** Further standard details (Help, LocalizedMessage, ResourceInfo …). */
  details?: Omit<ErrorDetails, 'errorInfo'>;
  cause?: unknown;
}

/**
 * Base of the errors handlers throw. Each carries a gRPC code and google.rpc details, and is
 * shaped so that grpc-js sends it as is: `code` is the status code, `details` the message and
 * `metadata` the trailers holding the serialized google.rpc.Status. `instanceof` works across
 * duplicate installs of this package (the classes are recognised by a registered symbol).
 */
export class PlatformError extends Error {
  static readonly kind: string = 'PlatformError';

  readonly code: GrpcStatus;
  readonly reason: string;
  readonly domain: string;
  readonly errorMetadata: Readonly<Record<string, string>>;
  readonly extraDetails: Omit<ErrorDetails, 'errorInfo'>;
  declare readonly [kindsKey]: readonly string[];

  constructor(code: GrpcStatus, message: string, options: PlatformErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.reason = options.reason ?? GrpcStatus[code] ?? 'UNKNOWN';
    this.domain = options.domain ?? '';
    this.errorMetadata = { ...options.metadata };
    this.extraDetails = { ...options.details };
    const kinds: string[] = [];
    for (
      let type: unknown = new.target;
      typeof type === 'function' && 'kind' in type;
      type = Object.getPrototypeOf(type)
    ) {
      kinds.push((type as typeof PlatformError).kind);
    }
    Object.defineProperty(this, kindsKey, { value: kinds, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const kinds = (value as { [kindsKey]?: unknown } | null)?.[kindsKey];
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }

  /** Every google.rpc detail of this error, ErrorInfo included. */
  get statusDetails(): ErrorDetails {
    return {
      ...this.extraDetails,
      errorInfo: { reason: this.reason, domain: this.domain, metadata: { ...this.errorMetadata } },
    };
  }

  /** Read by grpc-js as the status message. */
  get details(): string {
    return this.message;
  }

  /** Read by grpc-js as the trailers: the serialized google.rpc.Status. */
  get metadata(): Metadata {
    const trailers = new Metadata();
    trailers.set(statusDetailsKey, encodeStatus(this.code, this.message, this.statusDetails));
    return trailers;
  }
}

/** Converts milliseconds to a google.protobuf.Duration. */
export function durationFromMs(milliseconds: number): Duration {
  const whole = Math.max(0, Math.round(milliseconds));
  return { seconds: String(Math.floor(whole / 1000)), nanos: (whole % 1000) * 1_000_000 };
}

/** Converts a google.protobuf.Duration to milliseconds. */
export function msFromDuration(duration: Duration): number {
  return Number(duration.seconds) * 1000 + Math.floor(duration.nanos / 1_000_000);
}
