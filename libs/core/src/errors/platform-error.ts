import { encodeStatus, type Duration, type ErrorDetails } from '@platform/proto';
import { Code, codeName } from './code.js';

const kindsKey = Symbol.for('@platform/core.errorKinds');

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
 * Base of the errors handlers throw. Each carries a google.rpc.Code and google.rpc details and
 * knows no transport: the gRPC package sends it as a status with the serialized google.rpc.Status
 * in its trailers, and a handler of any kind may throw it. `instanceof` works across duplicate
 * installs of this package (the classes are recognised by a registered symbol).
 */
export class PlatformError extends Error {
  static readonly kind: string = 'PlatformError';

  readonly code: Code;
  readonly reason: string;
  readonly domain: string;
  readonly errorMetadata: Readonly<Record<string, string>>;
  readonly extraDetails: Omit<ErrorDetails, 'errorInfo'>;
  declare readonly [kindsKey]: readonly string[];

  constructor(code: Code, message: string, options: PlatformErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.reason = options.reason ?? codeName(code) ?? 'UNKNOWN';
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

  /** The serialized google.rpc.Status: code, message and every detail, as a client decodes it. */
  encodedStatus(): Buffer {
    return encodeStatus(this.code, this.message, this.statusDetails);
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
