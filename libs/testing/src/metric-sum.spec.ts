import { describe, expect, it } from 'vitest';
import { metricSum } from './metric-sum.js';

const text = [
  '# HELP grpc_server_handled_total Calls answered.',
  '# TYPE grpc_server_handled_total counter',
  'grpc_server_handled_total{grpc_method="CreateOrder",grpc_code="OK"} 7',
  'grpc_server_handled_total{grpc_method="CreateOrder",grpc_code="NOT_FOUND"} 2',
  'grpc_server_handled_total{grpc_method="CreateOrderBatch",grpc_code="OK"} 100',
  'outbox_backlog 3',
  'outbox_backlog_max 40',
  'nodejs_gc_duration_seconds_count{kind="major",service="a"} 1.5e1',
].join('\n');

describe('metricSum', () => {
  it('sums the samples whose labels include the given ones, by exact value', () => {
    expect(metricSum(text, 'grpc_server_handled_total', { grpc_method: 'CreateOrder' })).toBe(9);
    expect(
      metricSum(text, 'grpc_server_handled_total', { grpc_method: 'CreateOrder', grpc_code: 'OK' }),
    ).toBe(7);
  });

  it('reads a sample without labels, and not a metric whose name only begins the same', () => {
    expect(metricSum(text, 'outbox_backlog')).toBe(3);
    expect(metricSum(text, 'nodejs_gc_duration_seconds_count', { kind: 'major' })).toBe(15);
  });

  it('is 0 when nothing matches', () => {
    expect(metricSum(text, 'grpc_server_handled_total', { grpc_method: 'GetOrder' })).toBe(0);
    expect(metricSum(text, 'events_processed_total')).toBe(0);
  });
});
