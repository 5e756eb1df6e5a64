import type { Metadata } from '@grpc/grpc-js';
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/**
 * Lets OpenTelemetry propagators read `traceparent`, `tracestate` and `baggage` from metadata.
 * Several values are combined as HTTP combines repeated fields (comma-joined), which is what
 * the W3C specs define: several `tracestate` or `baggage` fields are one list, and several
 * `traceparent` fields are invalid, so the call starts a new trace (the propagator would
 * otherwise take the first of a list).
 */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key).filter((value): value is string => typeof value === 'string');
    if (values.length === 0) return undefined;
    return values.length === 1 ? values[0] : values.join(',');
  },
};

/** Lets OpenTelemetry propagators write trace context into outgoing metadata. */
export const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};
