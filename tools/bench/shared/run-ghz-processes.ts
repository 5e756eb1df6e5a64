import { runGhz, type GhzResult, type GhzRun } from './run-ghz.js';

/**
 * `processes` ghz runs side by side (each with `options`, a fixed rate split between them), one
 * result: calls, rates, errors and codes summed; p50 and p99 the count-weighted means of the
 * runs' own (an approximation: the runs see the same server, so their distributions match).
 */
export async function runGhzProcesses(options: GhzRun, processes: number): Promise<GhzResult> {
  const rps = options.rps === undefined ? undefined : options.rps / processes;
  const results = await Promise.all(
    Array.from({ length: processes }, () => runGhz({ ...options, ...(rps !== undefined && { rps }) })),
  );
  const count = results.reduce((total, result) => total + result.count, 0);
  const weighted = (key: 'p50Ms' | 'p99Ms') =>
    results.reduce((total, result) => total + result[key] * result.count, 0) / Math.max(1, count);
  const codes: Record<string, number> = {};
  for (const result of results) {
    for (const [code, calls] of Object.entries(result.codes)) codes[code] = (codes[code] ?? 0) + calls;
  }
  return {
    rps: results.reduce((total, result) => total + result.rps, 0),
    count,
    errors: results.reduce((total, result) => total + result.errors, 0),
    cutOff: results.reduce((total, result) => total + result.cutOff, 0),
    codes,
    p50Ms: weighted('p50Ms'),
    p99Ms: weighted('p99Ms'),
  };
}
