import {
  create,
  createFileRegistry,
  fromBinary,
  type DescMessage,
  type FileRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { platformFileDescriptors } from '@platform/proto';

let registry: FileRegistry | undefined;

/**
 * The request type of a method, from the descriptors `buf build` wrote for the platform's
 * contracts, google.rpc, grpc.health.v1 and grpc.reflection (`platformFileDescriptors`).
 * (proto-loader's own descriptors are re-derived by protobufjs with unqualified type names,
 * which no strict registry resolves.)
 *
 * @throws Error when the method is in none of them.
 */
export function requestMessageOf(path: string): DescMessage {
  const [, serviceName = '', methodName = ''] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  registry ??= createFileRegistry(
    create(FileDescriptorSetSchema, {
      file: platformFileDescriptors().map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes)),
    }),
  );
  const input = registry.getService(serviceName)?.methods.find((method) => method.name === methodName)?.input;
  if (!input) {
    throw new Error(
      `No descriptor describes ${path}: add its .proto to protos/ and run nx run proto:generate`,
    );
  }
  return input;
}
