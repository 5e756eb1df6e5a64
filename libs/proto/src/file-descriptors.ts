import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Folder of the FileDescriptorSets `nx run proto:generate` writes with `buf build
 * --as-file-descriptor-set` (plain sets, without buf's image metadata; outside `src/gen`, which
 * buf generate cleans). Resolved from this file, one level below the lib root
 * in both `src/` and `dist/`.
 */
export const descriptorsDir = join(import.meta.dirname, '..', 'descriptors');

/**
 * The sets, in order of precedence for a file name several hold: the buf workspace (platform
 * contracts, google.rpc, the well-known types they import), grpc.health.v1, and server
 * reflection v1 and v1alpha (every service the platform's servers serve is described, so each
 * request can be read by its descriptor).
 */
const descriptorSetFiles = ['platform.binpb', 'health.binpb', 'reflection.binpb'] as const;

/** Field number of `repeated FileDescriptorProto file` in FileDescriptorSet. */
const fileFieldNumber = 1;

interface DescriptorFile {
  /** The serialized FileDescriptorProto, byte for byte as buf wrote it. */
  readonly bytes: Uint8Array;
  readonly dependencies: readonly string[];
  /** Fully qualified names of the services the file declares. */
  readonly services: readonly string[];
  /** Fully qualified names of the top-level messages the file declares. */
  readonly messages: readonly string[];
}

let filesByName: ReadonlyMap<string, DescriptorFile> | undefined;
let allFiles: readonly Uint8Array[] | undefined;

/**
 * The platform's descriptors as `buf build` produced them (exact bytes, so json names, map
 * entries, options and well-known-type imports are what protoc-compatible clients expect): the
 * serialized FileDescriptorProtos of every contract, of google.rpc, of grpc.health.v1 and of
 * grpc.reflection (v1, v1alpha), with
 * their imports, each file once. Read once, then cached.
 *
 * @param services Fully qualified service names; when given, only the files declaring them and
 *   their imports (transitively). Throws if a service is in none of the files.
 * @param messages Fully qualified top-level message names whose files (and their imports) are
 *   included too, such as the error detail types a service sends inside google.rpc.Status.
 *   Throws if a message is in none of the files. Defaults to none.
 * @throws Error naming the command to run when the descriptor sets were not generated.
 */
export function platformFileDescriptors(
  services?: readonly string[],
  messages: readonly string[] = [],
): readonly Uint8Array[] {
  filesByName ??= loadDescriptorFiles();
  allFiles ??= [...filesByName.values()].map((file) => file.bytes);
  if (!services) return allFiles;
  const included = filesWithImports(filesByName, services, messages);
  return [...filesByName].filter(([name]) => included.has(name)).map(([, file]) => file.bytes);
}

function filesWithImports(
  files: ReadonlyMap<string, DescriptorFile>,
  services: readonly string[],
  messages: readonly string[],
): Set<string> {
  const pending = [
    ...services.map((service) => fileDeclaring(files, service, 'services', 'Service')),
    ...messages.map((message) => fileDeclaring(files, message, 'messages', 'Message')),
  ];
  const included = new Set<string>();
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (included.has(name)) continue;
    included.add(name);
    pending.push(...(files.get(name)?.dependencies ?? []));
  }
  return included;
}

function fileDeclaring(
  files: ReadonlyMap<string, DescriptorFile>,
  symbol: string,
  kind: 'services' | 'messages',
  label: string,
): string {
  for (const [name, file] of files) if (file[kind].includes(symbol)) return name;
  throw new Error(
    `${label} ${symbol} is not in the descriptors of @platform/proto (${descriptorsDir}); ` +
      'add its .proto to protos/ and run nx run proto:generate',
  );
}

function loadDescriptorFiles(): Map<string, DescriptorFile> {
  const files = new Map<string, DescriptorFile>();
  for (const setFile of descriptorSetFiles) {
    for (const bytes of fileDescriptorProtosOf(readDescriptorSet(setFile))) {
      const file = fromBinary(FileDescriptorProtoSchema, bytes);
      if (files.has(file.name)) continue;
      const prefix = file.package ? `${file.package}.` : '';
      files.set(file.name, {
        bytes,
        dependencies: file.dependency,
        services: file.service.map((declared) => prefix + declared.name),
        messages: file.messageType.map((declared) => prefix + declared.name),
      });
    }
  }
  return files;
}

function readDescriptorSet(setFile: string): Uint8Array {
  const path = join(descriptorsDir, setFile);
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(`${path} is missing: run nx run proto:generate`, { cause: error });
  }
}

/** Splits a serialized FileDescriptorSet into its files without re-encoding them. */
function fileDescriptorProtosOf(set: Uint8Array): Uint8Array[] {
  const reader = new BinaryReader(set);
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [fieldNumber, wireType] = reader.tag();
    if (fieldNumber === fileFieldNumber && wireType === WireType.LengthDelimited) files.push(reader.bytes());
    else reader.skip(wireType, fieldNumber);
  }
  return files;
}
