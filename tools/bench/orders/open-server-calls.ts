import { metricSum } from '@platform/testing';

/**
 * Calls of `method` the server has started and not yet answered, from its Prometheus endpoint
 * (`grpc_server_started_total` minus `grpc_server_handled_total`): the streams it holds open,
 * seen from the server rather than from the client that opened them.
 */
export async function openServerCalls(metricsPort: number, method: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  const sum = (metric: string) => metricSum(text, metric, { grpc_method: method });
  return sum('grpc_server_started_total') - sum('grpc_server_handled_total');
}
