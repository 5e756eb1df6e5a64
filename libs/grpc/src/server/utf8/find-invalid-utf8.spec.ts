import { create, createFileRegistry } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { findInvalidUtf8 } from './find-invalid-utf8.js';
import { stringFieldPlan, type MessagePlan } from './string-field-plan.js';

// A recursive type with maps of every kind the walker handles, and one without strings.
const file = create(FileDescriptorProtoSchema, {
  name: 'test/v1/tree.proto',
  package: 'test.v1',
  syntax: 'proto3',
  messageType: [
    {
      name: 'Node',
      field: [
        { name: 'name', number: 1, type: Type.STRING, label: Label.OPTIONAL },
        { name: 'children', number: 2, type: Type.MESSAGE, typeName: '.test.v1.Node', label: Label.REPEATED },
        {
          name: 'by_key',
          number: 3,
          type: Type.MESSAGE,
          typeName: '.test.v1.Node.ByKeyEntry',
          label: Label.REPEATED,
        },
        {
          name: 'by_number',
          number: 4,
          type: Type.MESSAGE,
          typeName: '.test.v1.Node.ByNumberEntry',
          label: Label.REPEATED,
        },
        { name: 'blob', number: 5, type: Type.BYTES, label: Label.OPTIONAL },
        { name: 'tags', number: 6, type: Type.STRING, label: Label.REPEATED },
        { name: 'count', number: 7, type: Type.INT32, label: Label.OPTIONAL },
      ],
      nestedType: [
        {
          name: 'ByKeyEntry',
          options: { mapEntry: true },
          field: [
            { name: 'key', number: 1, type: Type.STRING, label: Label.OPTIONAL },
            {
              name: 'value',
              number: 2,
              type: Type.MESSAGE,
              typeName: '.test.v1.Node',
              label: Label.OPTIONAL,
            },
          ],
        },
        {
          name: 'ByNumberEntry',
          options: { mapEntry: true },
          field: [
            { name: 'key', number: 1, type: Type.SINT64, label: Label.OPTIONAL },
            { name: 'value', number: 2, type: Type.STRING, label: Label.OPTIONAL },
          ],
        },
      ],
    },
    {
      name: 'Numbers',
      field: [
        { name: 'amount', number: 1, type: Type.INT64, label: Label.OPTIONAL },
        { name: 'raw', number: 2, type: Type.BYTES, label: Label.OPTIONAL },
      ],
    },
  ],
});
const registry = createFileRegistry(file, () => undefined);
function messageOf(typeName: string) {
  const message = registry.getMessage(typeName);
  if (!message) throw new Error(`${typeName} is not in the test file`);
  return message;
}
const plan = stringFieldPlan(messageOf('test.v1.Node')) as MessagePlan;

const invalid = Uint8Array.of(0xed, 0xa0, 0x80); // an encoded UTF-16 surrogate: not UTF-8
const utf8 = (text: string) => new TextEncoder().encode(text);

type Field = readonly [number, Uint8Array] | readonly [number, 'sint64', bigint];
function encode(...fields: Field[]): Uint8Array {
  const writer = new BinaryWriter();
  for (const field of fields) {
    if (field.length === 3) writer.tag(field[0], WireType.Varint).sint64(field[2]);
    else writer.tag(field[0], WireType.LengthDelimited).bytes(field[1]);
  }
  return writer.finish();
}

describe('findInvalidUtf8', () => {
  it('finds nothing in valid strings, and never reads bytes fields', () => {
    const node = encode(
      [1, utf8('root \u{FFFD}')],
      [5, invalid],
      [6, utf8('a')],
      [2, encode([1, utf8('child')])],
    );
    expect(findInvalidUtf8(node, plan)).toBeUndefined();
  });

  it('names a repeated string by its index', () => {
    expect(findInvalidUtf8(encode([6, utf8('a')], [6, utf8('b')], [6, invalid]), plan)?.field).toBe(
      'tags[2]',
    );
  });

  it('follows recursive messages, repeated fields and map values with a string key', () => {
    const leaf = encode([1, invalid]);
    const child = encode([3, encode([1, utf8('eu "west"')], [2, leaf])]);
    const node = encode([2, encode([1, utf8('first')])], [2, child]);
    expect(findInvalidUtf8(node, plan)).toEqual({
      field: 'children[1].by_key["eu \\"west\\""].name',
      description: 'must be valid UTF-8',
    });
  });

  it('names a map value by its integer key, whatever the order of key and value', () => {
    const entry = encode([2, invalid], [1, 'sint64', -7n]);
    expect(findInvalidUtf8(encode([4, entry]), plan)?.field).toBe('by_number[-7]');
  });

  it('names the map itself for an invalid key', () => {
    expect(findInvalidUtf8(encode([3, encode([1, invalid])]), plan)).toEqual({
      field: 'by_key',
      description: 'has a key that is not valid UTF-8',
    });
  });

  it('skips unknown fields of every wire type, groups included, and still finds a later invalid string', () => {
    const writer = new BinaryWriter();
    writer.tag(9, WireType.Varint).uint64(2n ** 63n);
    writer.tag(10, WireType.Bit64).fixed64(1n);
    writer.tag(11, WireType.Bit32).fixed32(1);
    writer
      .tag(12, WireType.StartGroup)
      .tag(1, WireType.LengthDelimited)
      .bytes(invalid)
      .tag(12, WireType.EndGroup);
    writer.tag(7, WireType.Varint).int32(-1);
    writer.tag(1, WireType.LengthDelimited).bytes(invalid);
    expect(findInvalidUtf8(writer.finish(), plan)?.field).toBe('name');
  });

  it('throws on malformed wire data (the decoder then reports it)', () => {
    expect(() => findInvalidUtf8(Uint8Array.of(0x0a, 0x05, 0x61), plan)).toThrow();
    expect(() => findInvalidUtf8(Uint8Array.of(0x63, 0x0a, 0x00), plan)).toThrow(); // group never ended
    expect(() => findInvalidUtf8(Uint8Array.of(0x48, 0xff, 0xff), plan)).toThrow(); // varint cut short
  });
});

describe('stringFieldPlan', () => {
  it('keeps only the fields that can reach a string', () => {
    expect([...plan.fields.keys()].sort()).toEqual([1, 2, 3, 4, 6]);
  });

  it('is undefined for a type that holds no string', () => {
    expect(stringFieldPlan(messageOf('test.v1.Numbers'))).toBeUndefined();
  });
});
