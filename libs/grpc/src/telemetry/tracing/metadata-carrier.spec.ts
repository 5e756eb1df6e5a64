import { Metadata } from '@grpc/grpc-js';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { metadataGetter } from './metadata-carrier.js';

const propagator = new W3CTraceContextPropagator();
const first = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const second = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function extracted(entries: [string, string][]) {
  const metadata = new Metadata();
  for (const [key, value] of entries) metadata.add(key, value);
  return trace.getSpanContext(propagator.extract(ROOT_CONTEXT, metadata, metadataGetter));
}

describe('metadataGetter', () => {
  it('continues the trace of one traceparent', () => {
    expect(extracted([['traceparent', first]])?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('reads several traceparent values as invalid, as W3C Trace Context asks (a new trace, not the first one)', () => {
    expect(
      extracted([
        ['traceparent', first],
        ['traceparent', second],
      ]),
    ).toBeUndefined();
  });

  it('combines several tracestate values into one list', () => {
    const context = extracted([
      ['traceparent', first],
      ['tracestate', 'a=1'],
      ['tracestate', 'b=2'],
    ]);
    expect(context?.traceState?.serialize()).toBe('a=1,b=2');
  });
});
