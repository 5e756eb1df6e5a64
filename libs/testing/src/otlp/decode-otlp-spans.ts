import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** One exported span, as the test collector keeps it. */
export interface CollectedSpan {
  readonly service: string;
  readonly name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer (OTLP's SpanKind). */
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly attributes: Readonly<Record<string, string>>;
}

type FieldHandler = (reader: BinaryReader) => void;

/** Reads a message's fields, handing the ones in `fields` to their handler and skipping the rest. */
function readMessage(bytes: Uint8Array, fields: Record<number, FieldHandler>): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    const handle = fields[field];
    if (handle) handle(reader);
    else reader.skip(wireType as WireType);
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** A KeyValue whose value is a string, an int or a bool, as text. */
function readAttribute(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  readMessage(bytes, {
    1: (reader) => (key = reader.string()),
    2: (reader) =>
      readMessage(reader.bytes(), {
        1: (inner) => (value = inner.string()),
        2: (inner) => (value = String(inner.bool())),
        3: (inner) => (value = inner.int64().toString()),
      }),
  });
  return [key, value];
}

function readSpan(bytes: Uint8Array, service: string): CollectedSpan {
  const span = { service, name: '', kind: 0, traceId: '', spanId: '', parentSpanId: '' };
  const attributes: Record<string, string> = {};
  readMessage(bytes, {
    1: (reader) => (span.traceId = hex(reader.bytes())),
    2: (reader) => (span.spanId = hex(reader.bytes())),
    4: (reader) => (span.parentSpanId = hex(reader.bytes())),
    5: (reader) => (span.name = reader.string()),
    6: (reader) => (span.kind = reader.int32()),
    9: (reader) => {
      const [key, value] = readAttribute(reader.bytes());
      attributes[key] = value;
    },
  });
  return { ...span, attributes };
}

/**
 * The spans of an OTLP/HTTP protobuf `ExportTraceServiceRequest` (opentelemetry-proto's
 * trace/v1 and collector/trace/v1), with the `service.name` of their resource. Only the fields
 * tests look at are read.
 */
export function decodeOtlpSpans(body: Uint8Array): CollectedSpan[] {
  const spans: CollectedSpan[] = [];
  readMessage(body, {
    1: (resourceSpans) => {
      let service = '';
      const scopeSpans: Uint8Array[] = [];
      readMessage(resourceSpans.bytes(), {
        1: (resource) =>
          readMessage(resource.bytes(), {
            1: (attribute) => {
              const [key, value] = readAttribute(attribute.bytes());
              if (key === 'service.name') service = value;
            },
          }),
        2: (scope) => scopeSpans.push(scope.bytes()),
      });
      for (const scope of scopeSpans) {
        readMessage(scope, { 2: (span) => spans.push(readSpan(span.bytes(), service)) });
      }
    },
  });
  return spans;
}
