import { ScalarType } from '@bufbuild/protobuf';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { isUtf8 } from 'node:buffer';
import type { FieldViolation } from '@platform/core';
import type { FieldPlan, MessagePlan } from './string-field-plan.js';

const mustBeUtf8 = 'must be valid UTF-8';

// Wire types (protobuf encoding spec).
const varintType = 0;
const fixed64Type = 1;
const lengthDelimitedType = 2;
const startGroupType = 3;
const endGroupType = 4;
const fixed32Type = 5;

/**
 * The first string of a serialized message that is not valid UTF-8, as a field violation named
 * by its path (`items[2].sku`, `labels["eu"].name`), or `undefined` when every string is valid.
 * Reads the wire bytes in place, descending only into the fields of `plan`; a string's bytes are
 * checked where they lie (nothing is decoded or copied). Throws on malformed wire data, which the
 * message's own decoder then reports as it always did.
 *
 * Hand-written rather than on @bufbuild/protobuf's BinaryReader: this runs on every request
 * message, and a reader object per nested message and an array per tag cost several times the
 * walk itself (the reader still decodes a map key for the error message).
 */
export function findInvalidUtf8(bytes: Uint8Array, plan: MessagePlan): FieldViolation | undefined {
  return walk(bytes, { pos: 0 }, bytes.length, plan);
}

interface Cursor {
  pos: number;
}

function malformed(): never {
  throw new Error('malformed protobuf wire data');
}

/** A varint of at most 32 significant bits (tags and lengths); longer encodings are malformed. */
function varint32(bytes: Uint8Array, cursor: Cursor, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (cursor.pos >= end) malformed();
    const byte = bytes[cursor.pos++] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value > 0xffffffff ? malformed() : value;
  }
  return malformed();
}

function skip(bytes: Uint8Array, cursor: Cursor, end: number, wireType: number, number: number): void {
  switch (wireType) {
    case varintType:
      for (let count = 0; ; count += 1) {
        if (cursor.pos >= end || count === 10) malformed();
        if ((bytes[cursor.pos++] as number) < 0x80) return;
      }
    case fixed64Type:
      cursor.pos += 8;
      break;
    case lengthDelimitedType: {
      const length = varint32(bytes, cursor, end);
      cursor.pos += length;
      break;
    }
    case fixed32Type:
      cursor.pos += 4;
      break;
    case startGroupType:
      for (;;) {
        const tag = varint32(bytes, cursor, end);
        if ((tag & 7) === endGroupType) {
          if (tag >>> 3 !== number) malformed();
          return;
        }
        skip(bytes, cursor, end, tag & 7, tag >>> 3);
      }
    default:
      malformed();
  }
  if (cursor.pos > end) malformed();
}

/** A length-delimited value: its bounds, the cursor moved past it. */
function lengthDelimited(bytes: Uint8Array, cursor: Cursor, end: number): [start: number, end: number] {
  const length = varint32(bytes, cursor, end);
  const start = cursor.pos;
  cursor.pos = start + length;
  if (cursor.pos > end) malformed();
  return [start, cursor.pos];
}

/** ASCII is checked inline; the first byte above it hands the rest to Node's validator. */
function validUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    if ((bytes[index] as number) >= 0x80) return isUtf8(bytes.subarray(index, end));
  }
  return true;
}

function walk(bytes: Uint8Array, cursor: Cursor, end: number, plan: MessagePlan): FieldViolation | undefined {
  const messageStart = cursor.pos;
  while (cursor.pos < end) {
    const tagStart = cursor.pos;
    const tag = varint32(bytes, cursor, end);
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) malformed();
    const field = plan.fields.get(number);
    if (!field || wireType !== lengthDelimitedType) {
      skip(bytes, cursor, end, wireType, number);
      continue;
    }
    const [start, stop] = lengthDelimited(bytes, cursor, end);
    const violation = violationIn(field, bytes, start, stop);
    if (violation) {
      const at =
        field.kind !== 'map' && field.repeated
          ? `${field.name}[${occurrences(bytes, messageStart, tagStart, number)}]`
          : field.name;
      return { ...violation, field: `${at}${violation.field}` };
    }
  }
  return undefined;
}

/** How many times field `number` occurs between `start` and `end`: an element's index, counted only on the error path. */
function occurrences(bytes: Uint8Array, start: number, end: number, number: number): number {
  const cursor = { pos: start };
  let count = 0;
  while (cursor.pos < end) {
    const tag = varint32(bytes, cursor, end);
    if (tag >>> 3 === number) count += 1;
    skip(bytes, cursor, end, tag & 7, tag >>> 3);
  }
  return count;
}

/** The violation inside one field's value; its `field` is the path below the field ('' for itself). */
function violationIn(
  field: FieldPlan,
  bytes: Uint8Array,
  start: number,
  end: number,
): FieldViolation | undefined {
  switch (field.kind) {
    case 'string':
      return validUtf8(bytes, start, end) ? undefined : { field: '', description: mustBeUtf8 };
    case 'message': {
      const inner = walk(bytes, { pos: start }, end, field.plan);
      return inner && { ...inner, field: `.${inner.field}` };
    }
    case 'map':
      return violationInEntry(field, bytes, start, end);
  }
}

/** A map entry is a message: key = 1, value = 2, in any order. */
function violationInEntry(
  field: Extract<FieldPlan, { kind: 'map' }>,
  bytes: Uint8Array,
  start: number,
  end: number,
): FieldViolation | undefined {
  const stringKey = field.key === ScalarType.STRING;
  const cursor = { pos: start };
  let key: [start: number, end: number] | undefined;
  let value: [start: number, end: number] | undefined;
  while (cursor.pos < end) {
    const tag = varint32(bytes, cursor, end);
    const number = tag >>> 3;
    const wireType = tag & 7;
    const keyStart = cursor.pos;
    if (number === 1 && stringKey && wireType === lengthDelimitedType) {
      key = lengthDelimited(bytes, cursor, end);
      if (!validUtf8(bytes, key[0], key[1]))
        return { field: '', description: 'has a key that is not valid UTF-8' };
    } else if (number === 2 && field.value && wireType === lengthDelimitedType) {
      value = lengthDelimited(bytes, cursor, end);
    } else {
      skip(bytes, cursor, end, wireType, number);
      if (number === 1) key = [keyStart, cursor.pos];
    }
  }
  if (!value || !field.value) return undefined;
  const inner =
    field.value === 'string'
      ? validUtf8(bytes, value[0], value[1])
        ? undefined
        : { field: '', description: mustBeUtf8 }
      : walk(bytes, { pos: value[0] }, value[1], field.value);
  if (!inner) return undefined;
  const at = `[${keyText(field.key, bytes, key)}]`;
  return {
    ...inner,
    field: inner.field && field.value !== 'string' ? `${at}.${inner.field}` : `${at}${inner.field}`,
  };
}

/** The key as the path shows it (only on the error path, so decoding cost does not matter). */
function keyText(type: ScalarType, bytes: Uint8Array, range: [number, number] | undefined): string {
  const raw = range ? bytes.subarray(range[0], range[1]) : new Uint8Array();
  if (type === ScalarType.STRING) return JSON.stringify(Buffer.from(raw).toString('utf8'));
  if (!range) return type === ScalarType.BOOL ? 'false' : '0';
  return String(readKey(new BinaryReader(raw), type));
}

/** A map key of a scalar type other than string (only integers and bool are allowed). */
function readKey(reader: BinaryReader, type: ScalarType): string | number | bigint | boolean {
  switch (type) {
    case ScalarType.BOOL:
      return reader.bool();
    case ScalarType.INT64:
      return reader.int64();
    case ScalarType.UINT64:
      return reader.uint64();
    case ScalarType.SINT64:
      return reader.sint64();
    case ScalarType.FIXED64:
      return reader.fixed64();
    case ScalarType.SFIXED64:
      return reader.sfixed64();
    case ScalarType.UINT32:
      return reader.uint32();
    case ScalarType.SINT32:
      return reader.sint32();
    case ScalarType.FIXED32:
      return reader.fixed32();
    case ScalarType.SFIXED32:
      return reader.sfixed32();
    default:
      return reader.int32();
  }
}
