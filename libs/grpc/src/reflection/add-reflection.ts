import type { Server } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoLoaderOptions } from '@platform/proto';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { dirname } from 'node:path';
import type { ReflectionOptions } from './reflection-options.js';

const healthService = 'grpc.health.v1.Health';
const healthProtoFile = 'health/v1/health.proto';

let healthDefinition: PackageDefinition | undefined;

function loadHealthDefinition(): PackageDefinition {
  // grpc-health-check ships its proto as <root>/health/v1/health.proto.
  const root = dirname(dirname(dirname(healthProtoPath)));
  healthDefinition ??= loadSync(healthProtoFile, { ...protoLoaderOptions, includeDirs: [root] });
  return healthDefinition;
}

function isProtoFiles(
  source: PackageDefinition | string | readonly string[],
): source is string | readonly string[] {
  return typeof source === 'string' || Array.isArray(source);
}

/**
 * Serves gRPC server reflection, v1 and v1alpha (grpcurl, Postman and grpcui ask either), so
 * clients can list the services and fetch their descriptors without the .proto files.
 *
 * @param source The package definition the services were loaded from (NestJS hands it to
 *   `onLoadPackageDefinition`), or .proto paths relative to the platform's include dirs
 *   (`protoFiles.orderService`), loaded with `protoLoaderOptions`.
 */
export function addReflection(
  server: Pick<Server, 'addService'>,
  source: PackageDefinition | string | readonly string[],
  options: ReflectionOptions = {},
): void {
  const definition = isProtoFiles(source)
    ? loadSync(typeof source === 'string' ? source : [...source], protoLoaderOptions)
    : source;
  const includeHealth = options.includeHealth ?? true;
  const described = includeHealth ? { ...loadHealthDefinition(), ...definition } : definition;
  const services = options.services && [...options.services, ...(includeHealth ? [healthService] : [])];
  // @grpc/reflection is built against its own copy of proto-loader; the definition's shape is
  // the same, its declared type is not.
  const reflection = new ReflectionService(
    described as ConstructorParameters<typeof ReflectionService>[0],
    services ? { services } : undefined,
  );
  reflection.addToServer(server);
}
