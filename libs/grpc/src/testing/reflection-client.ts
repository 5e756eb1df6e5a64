import { createFileRegistry, fromBinary, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import * as grpc from '@grpc/grpc-js';
import { loadSync, type MethodDefinition, type ServiceDefinition } from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// The client side uses the reflection service's own .proto, as grpcurl does.
const reflectionProtoRoot = join(
  dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')),
  'build',
  'proto',
);
const reflectionProtos = loadSync(
  ['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'],
  {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [reflectionProtoRoot],
  },
);

export type ReflectionVersion = 'v1' | 'v1alpha';

export interface ReflectionResponse {
  messageResponse: 'listServicesResponse' | 'fileDescriptorResponse' | 'errorResponse' | string;
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** A serialized FileDescriptorSet of these files, in this order, as grpcurl builds one. */
export function descriptorSet(files: readonly Uint8Array[]): Buffer {
  const writer = new BinaryWriter();
  for (const file of files) writer.tag(1, WireType.LengthDelimited).bytes(file);
  return Buffer.from(writer.finish());
}

/** Asks a server's reflection service what grpcurl asks, on its own connection. */
export class ReflectionClient {
  private readonly client: grpc.Client;

  constructor(readonly address: string) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure());
  }

  close(): void {
    this.client.close();
  }

  /** Sends reflection requests on one ServerReflectionInfo stream and collects the answers. */
  reflect(version: ReflectionVersion, requests: readonly object[]): Promise<ReflectionResponse[]> {
    const call = this.openStream(version);
    const responses: ReflectionResponse[] = [];
    return new Promise((resolve, reject) => {
      call.on('data', (response: ReflectionResponse) => responses.push(response));
      call.on('error', reject);
      call.on('end', () => resolve(responses));
      for (const request of requests) call.write(request);
      call.end();
    });
  }

  async listServices(version: ReflectionVersion = 'v1'): Promise<string[]> {
    const [response] = await this.reflect(version, [{ listServices: '*' }]);
    return (response?.listServicesResponse?.service ?? []).map((service) => service.name).sort();
  }

  /**
   * Fetches the descriptors of a symbol the way grpcurl does (the file containing it, then each
   * `dependency` by file name, recursively, on one stream) and loads them, imports first, into
   * a registry as strict as Go protobuf's protodesc: it throws on any reference it cannot
   * resolve.
   */
  async strictRegistry(version: ReflectionVersion, symbol: string): Promise<FileRegistry> {
    const conversation = this.converse(version);
    const files = new Map<string, { bytes: Buffer; imports: readonly string[] }>();
    const keep = (response: ReflectionResponse): string[] => {
      if (!response.fileDescriptorResponse)
        throw new Error(`reflection answered ${JSON.stringify(response)}`);
      const imports: string[] = [];
      for (const bytes of response.fileDescriptorResponse.fileDescriptorProto) {
        const { name, dependency } = fromBinary(FileDescriptorProtoSchema, bytes);
        if (!files.has(name)) files.set(name, { bytes, imports: dependency });
        imports.push(...dependency);
      }
      return imports;
    };
    try {
      const pending = keep(await conversation.ask({ fileContainingSymbol: symbol }));
      for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
        if (!files.has(name)) pending.push(...keep(await conversation.ask({ fileByFilename: name })));
      }
    } finally {
      conversation.end();
    }
    const ordered: Buffer[] = [];
    const placed = new Set<string>();
    const place = (name: string): void => {
      const file = files.get(name);
      if (!file || placed.has(name)) return;
      placed.add(name);
      file.imports.forEach(place);
      ordered.push(file.bytes);
    };
    [...files.keys()].forEach(place);
    return createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet(ordered)));
  }

  /**
   * The symbols of `symbols` that do not resolve as grpcurl resolves them (see
   * {@link strictRegistry}), each with why; empty when every one does.
   */
  async unresolved(version: ReflectionVersion, symbols: readonly string[]): Promise<string[]> {
    const failures: string[] = [];
    for (const symbol of symbols) {
      try {
        const registry = await this.strictRegistry(version, symbol);
        if (!registry.get(symbol)) failures.push(`${symbol}: not in the files served for it`);
      } catch (error) {
        failures.push(`${symbol}: ${(error as Error).message}`);
      }
    }
    return failures;
  }

  /** One ServerReflectionInfo stream on which each request awaits its answer. */
  private converse(version: ReflectionVersion) {
    const call = this.openStream(version);
    const waiting: { resolve: (response: ReflectionResponse) => void; reject: (error: Error) => void }[] = [];
    call.on('data', (response: ReflectionResponse) => waiting.shift()?.resolve(response));
    call.on('error', (error: Error) => {
      for (const request of waiting.splice(0)) request.reject(error);
    });
    return {
      ask: (request: object) =>
        new Promise<ReflectionResponse>((resolve, reject) => {
          waiting.push({ resolve, reject });
          call.write(request);
        }),
      end: () => call.end(),
    };
  }

  private openStream(version: ReflectionVersion): grpc.ClientDuplexStream<object, ReflectionResponse> {
    const service = reflectionProtos[`grpc.reflection.${version}.ServerReflection`] as ServiceDefinition;
    const method = service['ServerReflectionInfo'] as MethodDefinition<object, ReflectionResponse>;
    return this.client.makeBidiStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
    );
  }
}
