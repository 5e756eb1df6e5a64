import type { Metadata } from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_RPC_METHOD,
  ATTR_RPC_STATUS_CODE,
  ATTR_RPC_SYSTEM_NAME,
  RPC_SYSTEM_NAME_VALUE_GRPC,
} from '@opentelemetry/semantic-conventions';
import { codeName } from '../../call/code-name.js';
import type { MethodInfo } from '../../call/method-info.js';
import type { RpcSemanticConventions } from './tracing-options.js';

// The pre-1.38 RPC attributes are deprecated, so they live only in the incubating entry point
// of @opentelemetry/semantic-conventions, which its authors advise copying rather than importing.
const ATTR_RPC_SYSTEM = 'rpc.system';
const ATTR_RPC_SERVICE = 'rpc.service';
const ATTR_RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';

/**
 * Codes that mark a SERVER span as failed (OpenTelemetry gRPC conventions): the others are the
 * caller's problem (NOT_FOUND, INVALID_ARGUMENT …), not the server's. A CLIENT span fails on
 * every code but OK.
 */
export const serverErrorCodes: ReadonlySet<number> = new Set([
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.UNIMPLEMENTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
  GrpcStatus.DATA_LOSS,
]);

/** Reads `OTEL_SEMCONV_STABILITY_OPT_IN` as the OpenTelemetry migration guides define it. */
export function rpcSemanticConventionsFromEnv(env: NodeJS.ProcessEnv = process.env): RpcSemanticConventions {
  const optIns = (env['OTEL_SEMCONV_STABILITY_OPT_IN'] ?? '').split(',').map((value) => value.trim());
  if (optIns.includes('rpc/dup')) return 'both';
  if (optIns.includes('rpc')) return 'stable';
  return 'legacy';
}

const withLegacy = (conventions: RpcSemanticConventions) => conventions !== 'stable';
const withStable = (conventions: RpcSemanticConventions) => conventions !== 'legacy';

/** `package.Service/Method`, the span name both conventions prescribe. */
export function rpcSpanName(method: MethodInfo): string {
  return `${method.service}/${method.method}`;
}

/** Attributes known when the call starts. */
export function rpcStartAttributes(method: MethodInfo, conventions: RpcSemanticConventions): Attributes {
  return {
    ...(withLegacy(conventions)
      ? { [ATTR_RPC_SYSTEM]: 'grpc', [ATTR_RPC_SERVICE]: method.service, [ATTR_RPC_METHOD]: method.method }
      : {}),
    ...(withStable(conventions)
      ? { [ATTR_RPC_SYSTEM_NAME]: RPC_SYSTEM_NAME_VALUE_GRPC, [ATTR_RPC_METHOD]: rpcSpanName(method) }
      : {}),
  };
}

/** Attributes of the final status; `failed` says whether the span's side counts it an error. */
export function rpcStatusAttributes(
  code: number,
  failed: boolean,
  conventions: RpcSemanticConventions,
): Attributes {
  const name = codeName(code);
  return {
    ...(withLegacy(conventions) ? { [ATTR_RPC_GRPC_STATUS_CODE]: code } : {}),
    ...(withStable(conventions)
      ? { [ATTR_RPC_STATUS_CODE]: name, ...(failed ? { [ATTR_ERROR_TYPE]: name } : {}) }
      : {}),
  };
}

/** The allowlisted request metadata, one string-array attribute per present key. */
export function rpcMetadataAttributes(
  metadata: Metadata,
  keys: readonly string[],
  conventions: RpcSemanticConventions,
): Attributes {
  const attributes: Attributes = {};
  for (const key of keys) {
    const values = metadata.get(key).filter((value): value is string => typeof value === 'string');
    if (values.length === 0) continue;
    if (withLegacy(conventions)) attributes[`rpc.grpc.request.metadata.${key}`] = values;
    if (withStable(conventions)) attributes[`rpc.request.metadata.${key}`] = values;
  }
  return attributes;
}

/** `network.peer.*` from a grpc-js peer string (`127.0.0.1:50051`, `[::1]:50051`, `ipv4:…`). */
export function peerAttributes(peer: string | undefined): Attributes {
  const match = /^(?:ipv[46]:)?\[?([^\]]*?)\]?:(\d+)$/.exec(peer ?? '');
  if (!match?.[1]) return {};
  return { [ATTR_NETWORK_PEER_ADDRESS]: match[1], [ATTR_NETWORK_PEER_PORT]: Number(match[2]) };
}
