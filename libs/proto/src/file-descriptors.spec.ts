import { createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorsDir, platformFileDescriptors } from './file-descriptors.js';
import { protoFiles, serviceNames } from './proto-paths.js';

/** A serialized FileDescriptorSet holding these files, in this order. */
function descriptorSet(files: readonly Uint8Array[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const file of files) writer.tag(1, WireType.LengthDelimited).bytes(file);
  return writer.finish();
}

function fileNames(files: readonly Uint8Array[]): string[] {
  return files.map((file) => fromBinary(FileDescriptorProtoSchema, file).name);
}

describe('platformFileDescriptors()', () => {
  it('returns the files of the platform set byte for byte, then those of the health and reflection sets', () => {
    const platformSet = readFileSync(join(descriptorsDir, 'platform.binpb'));
    const healthSet = readFileSync(join(descriptorsDir, 'health.binpb'));
    const reflectionSet = readFileSync(join(descriptorsDir, 'reflection.binpb'));
    const files = platformFileDescriptors();

    expect(Buffer.from(descriptorSet(files))).toEqual(Buffer.concat([platformSet, healthSet, reflectionSet]));
    expect(fileNames(files)).toEqual(
      expect.arrayContaining([
        protoFiles.orderService,
        protoFiles.userService,
        'google/protobuf/timestamp.proto',
        'google/rpc/status.proto',
        'health/v1/health.proto',
        'grpc/reflection/v1/reflection.proto',
        'grpc/reflection/v1alpha/reflection.proto',
      ]),
    );
    expect(new Set(fileNames(files)).size).toBe(files.length);
  });

  it('resolves every reference strictly (as protoc-compatible clients load them)', () => {
    const registry = createFileRegistry(
      fromBinary(FileDescriptorSetSchema, descriptorSet(platformFileDescriptors())),
    );
    const field = registry
      .getMessage('platform.user.v1.AuthenticateResponse')
      ?.fields.find((candidate) => candidate.name === 'expire_time');
    expect(field?.message?.typeName).toBe('google.protobuf.Timestamp');
  });

  it('reads the sets once', () => {
    expect(platformFileDescriptors()).toBe(platformFileDescriptors());
  });
});

describe('platformFileDescriptors(services)', () => {
  it('returns the files declaring the services and their imports, transitively', () => {
    const names = fileNames(platformFileDescriptors([serviceNames.order]));
    expect(names).toEqual(
      expect.arrayContaining([protoFiles.orderService, 'google/protobuf/timestamp.proto']),
    );
    expect(names).not.toContain(protoFiles.userService);
    expect(names).not.toContain('health/v1/health.proto');
  });

  it('finds grpc.health.v1.Health in the health set', () => {
    expect(fileNames(platformFileDescriptors(['grpc.health.v1.Health']))).toEqual(['health/v1/health.proto']);
  });

  it('finds the reflection services in the reflection set', () => {
    expect(fileNames(platformFileDescriptors(['grpc.reflection.v1.ServerReflection']))).toEqual([
      'grpc/reflection/v1/reflection.proto',
    ]);
  });

  it('adds the files declaring the messages asked for, with their imports', () => {
    const names = fileNames(
      platformFileDescriptors([serviceNames.user], ['google.rpc.ErrorInfo', 'google.rpc.Status']),
    );
    expect(names).toEqual(
      expect.arrayContaining([
        protoFiles.userService,
        'google/rpc/error_details.proto',
        'google/rpc/status.proto',
      ]),
    );
    expect(names).toContain('google/protobuf/any.proto');
  });

  it('refuses a message no descriptor declares', () => {
    expect(() => platformFileDescriptors([], ['google.rpc.Nope'])).toThrow(
      /Message google\.rpc\.Nope is not in/,
    );
  });

  it('refuses a service no descriptor declares', () => {
    expect(() => platformFileDescriptors(['platform.nothing.v1.NopeService'])).toThrow(
      /platform\.nothing\.v1\.NopeService is not in the descriptors of @platform\/proto/,
    );
  });
});
