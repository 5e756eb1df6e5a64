// What the measuring child processes share: their options come as JSON in BENCH_CHILD, their
// result goes out as one `{"result":…}` line on stdout (everything else there is ignored).
import { createLogger, type Logger } from '@platform/observability';

/** The options the runner passed (JSON in BENCH_CHILD). */
export function childOptions<T>(): T {
  const text = process.env['BENCH_CHILD'];
  if (!text) throw new Error('BENCH_CHILD (the JSON options) is not set');
  return JSON.parse(text) as T;
}

/** Warnings and errors of the event layer, on stderr (the runner shows them when a run fails). */
export const childLogger: Logger = createLogger({
  name: 'events-bench',
  level: 'warn',
  destination: process.stderr,
});

/** Writes the result line and exits once it is flushed (whatever is still open is dropped). */
export function reportResult(result: object): void {
  process.stdout.write(`${JSON.stringify({ result })}\n`, () => process.exit(0));
}

/** `performance.now()` as the same clock in every process: Unix epoch milliseconds, sub-millisecond. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** CPU time of this process since `since` (process.cpuUsage), milliseconds. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}
