import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The medians of one variant in one phase. */
export interface PhaseMedians {
  rps: number;
  cpuUsPerCall: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export type ComparisonRow = Record<string, string | number>;

const twoDecimals = (value: number) => +value.toFixed(2);

/**
 * One row per variant, the first being the baseline: capacity and CPU per call from the
 * capacity phase, latency from the fixed-rate phase, each with its ratio to the baseline, and
 * the CPU shares `shares` picks from the capacity phase.
 */
export function comparisonRows<T extends PhaseMedians>(
  names: readonly string[],
  capacity: readonly T[],
  latency: readonly T[],
  shares: (max: T) => Record<string, number>,
): ComparisonRow[] {
  const [base, baseLatency] = [capacity[0], latency[0]];
  if (!base || !baseLatency) throw new Error('no baseline measured');
  return names.map((variant, index) => {
    const max = capacity[index] as T;
    const fixed = latency[index] as T;
    return {
      variant,
      rps: Math.round(max.rps),
      rpsRatio: twoDecimals(max.rps / base.rps),
      cpuUsPerCall: Math.round(max.cpuUsPerCall),
      cpuRatio: twoDecimals(max.cpuUsPerCall / base.cpuUsPerCall),
      ...Object.fromEntries(Object.entries(shares(max)).map(([key, share]) => [key, twoDecimals(share)])),
      p50Ms: twoDecimals(fixed.p50Ms),
      p99Ms: twoDecimals(fixed.p99Ms),
      p99Ratio: twoDecimals(fixed.p99Ms / baseLatency.p99Ms),
      errors: max.errors + fixed.errors,
    };
  });
}

/** Writes the report to `dist/bench/<file>` and prints its rows as a Markdown table (`columns`: header, key). */
export function writeComparison(
  file: string,
  report: { rows: ComparisonRow[] } & Record<string, unknown>,
  columns: readonly (readonly [string, string])[],
): void {
  const outDir = join(resolve(import.meta.dirname, '..', '..', '..', '..'), 'dist', 'bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, file), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`| ${columns.map(([header]) => header).join(' | ')} |`);
  console.log(`| --- |${' ---: |'.repeat(columns.length - 1)}`);
  for (const row of report.rows) console.log(`| ${columns.map(([, key]) => row[key]).join(' | ')} |`);
}
