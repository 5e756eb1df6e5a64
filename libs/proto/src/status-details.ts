import { Metadata } from '@grpc/grpc-js';
import type { Any } from './gen/google/protobuf/any.js';
import {
  BadRequest,
  DebugInfo,
  ErrorInfo,
  Help,
  LocalizedMessage,
  PreconditionFailure,
  QuotaFailure,
  RequestInfo,
  ResourceInfo,
  RetryInfo,
} from './gen/google/rpc/error_details.js';
import { Status } from './gen/google/rpc/status.js';

/** The trailer that carries a serialized google.rpc.Status: gRPC's richer error model. */
export const statusDetailsKey = 'grpc-status-details-bin';

/** The standard google.rpc error details, at most one of each, as typed objects. */
export interface ErrorDetails {
  errorInfo?: ErrorInfo;
  badRequest?: BadRequest;
  preconditionFailure?: PreconditionFailure;
  quotaFailure?: QuotaFailure;
  retryInfo?: RetryInfo;
  resourceInfo?: ResourceInfo;
  requestInfo?: RequestInfo;
  debugInfo?: DebugInfo;
  help?: Help;
  localizedMessage?: LocalizedMessage;
}

interface DetailCodec {
  encode(message: never): { finish(): Uint8Array };
  decode(input: Uint8Array): unknown;
}

// Order matters twice: it is the order details are written in, and when a Status must be
// shrunk to fit a trailer, details are dropped from the end of this list first.
const codecs: readonly (readonly [keyof ErrorDetails, string, DetailCodec])[] = [
  ['errorInfo', 'google.rpc.ErrorInfo', ErrorInfo],
  ['badRequest', 'google.rpc.BadRequest', BadRequest],
  ['preconditionFailure', 'google.rpc.PreconditionFailure', PreconditionFailure],
  ['quotaFailure', 'google.rpc.QuotaFailure', QuotaFailure],
  ['retryInfo', 'google.rpc.RetryInfo', RetryInfo],
  ['resourceInfo', 'google.rpc.ResourceInfo', ResourceInfo],
  ['requestInfo', 'google.rpc.RequestInfo', RequestInfo],
  ['localizedMessage', 'google.rpc.LocalizedMessage', LocalizedMessage],
  ['help', 'google.rpc.Help', Help],
  ['debugInfo', 'google.rpc.DebugInfo', DebugInfo],
];

/**
 * Fully qualified names of every type a google.rpc.Status this package writes can hold: the
 * Status and each detail type. Reflection serves their descriptors, so grpcurl can print details.
 */
export const statusDetailTypeNames: readonly string[] = [
  'google.rpc.Status',
  ...codecs.map(([, typeName]) => typeName),
];

const typeUrlPrefix = 'type.googleapis.com/';

/** A google.rpc.Status with its details decoded. */
export interface DecodedStatus {
  code: number;
  message: string;
  details: ErrorDetails;
  /** Details of types this package does not know, still packed. */
  unknownDetails: Any[];
}

/** Serializes a google.rpc.Status with the given details. */
export function encodeStatus(code: number, message: string, details: ErrorDetails): Buffer {
  const packed: Any[] = [];
  for (const [key, typeName, codec] of codecs) {
    const detail = details[key];
    if (detail) {
      packed.push({
        typeUrl: typeUrlPrefix + typeName,
        value: Buffer.from(codec.encode(detail as never).finish()),
      });
    }
  }
  return Buffer.from(Status.encode({ code, message, details: packed }).finish());
}

/** Parses a serialized google.rpc.Status; unknown detail types are kept packed. */
export function decodeStatus(bytes: Uint8Array): DecodedStatus {
  const status = Status.decode(bytes);
  const details: ErrorDetails = {};
  const unknownDetails: Any[] = [];
  for (const any of status.details) {
    const typeName = any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1);
    const entry = codecs.find(([, name]) => name === typeName);
    if (entry) {
      (details as Record<string, unknown>)[entry[0]] = entry[2].decode(any.value);
    } else {
      unknownDetails.push(any);
    }
  }
  return { code: status.code, message: status.message, details, unknownDetails };
}

/** The decoded google.rpc.Status of a trailer set, or `undefined` when there is none or it is malformed. */
export function statusFromMetadata(metadata: Metadata | null | undefined): DecodedStatus | undefined {
  const [value] = metadata?.get(statusDetailsKey) ?? [];
  if (!(value instanceof Buffer)) return undefined;
  try {
    return decodeStatus(value);
  } catch {
    return undefined;
  }
}

/**
 * Drops details, least useful first (DebugInfo, Help, LocalizedMessage …; ErrorInfo last),
 * until the serialized Status fits `maxBytes`. Trailers have a size limit on every hop.
 */
export function fitStatus(code: number, message: string, details: ErrorDetails, maxBytes: number): Buffer {
  const kept: ErrorDetails = { ...details };
  let encoded = encodeStatus(code, message, kept);
  for (const [key] of [...codecs].reverse()) {
    if (encoded.length <= maxBytes) break;
    if (kept[key] === undefined) continue;
    delete kept[key];
    encoded = encodeStatus(code, message, kept);
  }
  return encoded.length > maxBytes ? encodeStatus(code, message.slice(0, 256), {}) : encoded;
}
