import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { protoFiles } from './proto-paths.js';
import { protoLoaderOptions } from './proto-loader-options.js';

/**
 * A method's `option idempotency_level` (google.protobuf.MethodOptions.IdempotencyLevel):
 * NO_SIDE_EFFECTS for reads, IDEMPOTENT where repeating the call is harmless,
 * IDEMPOTENCY_UNKNOWN otherwise (the proto default). Clients derive retries from it.
 */
export type IdempotencyLevel = 'NO_SIDE_EFFECTS' | 'IDEMPOTENT' | 'IDEMPOTENCY_UNKNOWN';

const registered = new Map<string, IdempotencyLevel>();
let platformLevels: ReadonlyMap<string, IdempotencyLevel> | undefined;

// proto-loader reports method options as enum names whatever its `enums` option says.
function levelOf(value: unknown): IdempotencyLevel {
  return value === 'NO_SIDE_EFFECTS' || value === 'IDEMPOTENT' ? value : 'IDEMPOTENCY_UNKNOWN';
}

interface LoadedMethod {
  path?: unknown;
  options?: { idempotency_level?: unknown };
}

function levelsIn(packageDefinition: PackageDefinition): Map<string, IdempotencyLevel> {
  const levels = new Map<string, IdempotencyLevel>();
  for (const entry of Object.values(packageDefinition)) {
    // Message and enum entries carry a `format`; services are maps of method definitions.
    if ('format' in entry) continue;
    for (const method of Object.values(entry) as LoadedMethod[]) {
      if (typeof method.path !== 'string') continue;
      levels.set(method.path, levelOf(method.options?.idempotency_level));
    }
  }
  return levels;
}

// The platform's own contracts are parsed on first use, not at import: most importers of
// this package never ask, and parsing the .proto files takes tens of milliseconds.
function loadPlatformLevels(): ReadonlyMap<string, IdempotencyLevel> {
  platformLevels ??= levelsIn(
    loadSync([protoFiles.userService, protoFiles.orderService], protoLoaderOptions),
  );
  return platformLevels;
}

/**
 * Adds the methods of services loaded with @grpc/proto-loader (for example a team's new
 * service) so {@link idempotencyLevelOf} knows them. A path registered twice keeps the
 * later level; registered paths win over the platform's own contracts.
 */
export function registerIdempotencyLevels(packageDefinition: PackageDefinition): void {
  for (const [path, level] of levelsIn(packageDefinition)) registered.set(path, level);
}

/**
 * The idempotency level a method declares in its .proto, by full path
 * (`/platform.order.v1.OrderService/GetOrder`). Methods of the platform's contracts are
 * known without registration; unknown paths are IDEMPOTENCY_UNKNOWN (never retried blindly).
 */
export function idempotencyLevelOf(path: string): IdempotencyLevel {
  return registered.get(path) ?? loadPlatformLevels().get(path) ?? 'IDEMPOTENCY_UNKNOWN';
}
