import { ScalarType } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { isUtf8 } from 'node:buffer';
import type { FieldViolation } from '../errors/platform-errors.js';
import type { FieldPlan, MessagePlan } from './string-field-plan.js';

const mustBeUtf8 = 'must be valid UTF-8';

/**
 * The first string of a serialized message that is not valid UTF-8, as a field violation named
 * by its path (`items[2].sku`, `labels["eu"].name`), or `undefined` when every string is valid.
 * Reads the wire bytes, descending only into the fields of `plan`; a string's bytes are checked
 * where they lie (nothing is decoded). Throws on malformed wire data, which the message's own
 * decoder then reports as it always did.
 */
export function findInvalidUtf8(bytes: Uint8Array, plan: MessagePlan): FieldViolation | undefined {
  const reader = new BinaryReader(bytes);
  let seen: Map<number, number> | undefined;
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    const field = plan.fields.get(number);
    if (!field || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, number);
      continue;
    }
    const value = reader.bytes();
    let index = 0;
    if (field.kind !== 'map' && field.repeated) {
      seen ??= new Map();
      index = seen.get(number) ?? 0;
      seen.set(number, index + 1);
    }
    const violation = violationIn(field, value);
    if (violation) {
      const at = field.kind !== 'map' && field.repeated ? `${field.name}[${index}]` : field.name;
      return { ...violation, field: violation.field ? `${at}${violation.field}` : at };
    }
  }
  return undefined;
}

/** The violation inside one field's value; its `field` is the path below the field ('' for itself). */
function violationIn(field: FieldPlan, value: Uint8Array): FieldViolation | undefined {
  switch (field.kind) {
    case 'string':
      return isUtf8(value) ? undefined : { field: '', description: mustBeUtf8 };
    case 'message': {
      const inner = findInvalidUtf8(value, field.plan);
      return inner && { ...inner, field: `.${inner.field}` };
    }
    case 'map':
      return violationInEntry(field, value);
  }
}

/** A map entry is a message: key = 1, value = 2, in any order. */
function violationInEntry(
  field: Extract<FieldPlan, { kind: 'map' }>,
  entry: Uint8Array,
): FieldViolation | undefined {
  const reader = new BinaryReader(entry);
  let key: string | number | bigint | boolean = field.key === ScalarType.STRING ? '' : 0;
  let value: Uint8Array | undefined;
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    if (number === 1) {
      if (field.key !== ScalarType.STRING) key = readKey(reader, field.key);
      else {
        const bytes = reader.bytes();
        if (!isUtf8(bytes)) return { field: '', description: 'has a key that is not valid UTF-8' };
        key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      }
    } else if (number === 2 && wireType === WireType.LengthDelimited && field.value) {
      value = reader.bytes();
    } else {
      reader.skip(wireType, number);
    }
  }
  if (!value || !field.value) return undefined;
  const at = `[${field.key === ScalarType.STRING ? JSON.stringify(key) : String(key)}]`;
  if (field.value === 'string') return isUtf8(value) ? undefined : { field: at, description: mustBeUtf8 };
  const inner = findInvalidUtf8(value, field.value);
  return inner && { ...inner, field: `${at}.${inner.field}` };
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
