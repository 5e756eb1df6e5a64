import type { Server } from '@grpc/grpc-js';
import { loadSync, type AnyDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { platformFileDescriptors, protoLoaderOptions, statusDetailTypeNames } from '@platform/proto';
import type { ReflectionOptions } from './reflection-options.js';

const healthService = 'grpc.health.v1.Health';

function isProtoFiles(
  source: PackageDefinition | string | readonly string[],
): source is string | readonly string[] {
  return typeof source === 'string' || Array.isArray(source);
}

/** Messages and enums carry a `format`; a service is an object of method definitions. */
function isService(definition: AnyDefinition): boolean {
  return !('format' in definition && typeof definition.format === 'string');
}

function servicesOf(definition: PackageDefinition): string[] {
  return Object.entries(definition)
    .filter(([, value]) => isService(value))
    .map(([name]) => name);
}

/** The services reflection lists: the option, or every service of the source; then health. */
function listedServices(
  source: PackageDefinition | string | readonly string[],
  options: ReflectionOptions,
): string[] {
  const served =
    options.services ??
    (isProtoFiles(source)
      ? servicesOf(loadSync(typeof source === 'string' ? source : [...source], protoLoaderOptions))
      : servicesOf(source));
  return [...new Set((options.includeHealth ?? true) ? [...served, healthService] : served)];
}

/**
 * Serves gRPC server reflection, v1 and v1alpha (grpcurl, Postman and grpcui ask either), so
 * clients can list the services and fetch their descriptors without the .proto files.
 *
 * The descriptors served are the ones `buf build` wrote (`platformFileDescriptors` of
 * `@platform/proto`), byte for byte, never re-derived from the package definition: protobufjs'
 * rebuilt descriptors carry camelCased field names, misnamed map entries and broken
 * well-known-type imports, which strict clients (grpcurl, anything on Go protobuf) refuse. The
 * source only decides which services are listed.
 *
 * @param source The package definition the services were loaded from (NestJS hands it to
 *   `onLoadPackageDefinition`), or .proto paths relative to the platform's include dirs
 *   (`protoFiles.orderService`), loaded with `protoLoaderOptions`.
 * @throws Error when a listed service is not in the platform's descriptors.
 */
export function addReflection(
  server: Pick<Server, 'addService'>,
  source: PackageDefinition | string | readonly string[],
  options: ReflectionOptions = {},
): void {
  const services = listedServices(source, options);
  // @grpc/reflection indexes the files in `fileDescriptorProtos` of every value of the
  // definition it is given, and nothing else of it: hand it the files declaring the listed
  // services and their imports, and those of google.rpc.Status and every error detail type the
  // platform's errors carry (a service's contract need not import them, yet grpcurl resolves
  // each detail's type by reflection to print it). It re-encodes each with protobufjs, which
  // gives back the same bytes for a plain FileDescriptorSet (add-reflection.spec.ts checks).
  const descriptors = {
    fileDescriptorProtos: [...platformFileDescriptors(services, statusDetailTypeNames)],
  };
  const reflection = new ReflectionService(
    { descriptors } as unknown as ConstructorParameters<typeof ReflectionService>[0],
    { services },
  );
  reflection.addToServer(server);
}
