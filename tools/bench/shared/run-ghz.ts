import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pinned } from './pin-cpu.js';

const run = promisify(execFile);

/** What one ghz run measured. */
export interface GhzResult {
  rps: number;
  count: number;
  /** Calls that did not end OK (with a duration, this includes the calls cut off at its end). */
  errors: number;
  /** Of those, the calls ghz cut off when the duration was over (their connection closed). */
  cutOff: number;
  /** Calls per status code name (`OK`, `Unavailable` …). */
  codes: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

/** Options of one ghz run of a unary method, described by a .proto file. */
export interface GhzRun {
  ghz: string;
  address: string;
  /** Folder `proto` is relative to (the platform's protos/). */
  protoDir: string;
  includeDirs: readonly string[];
  /** The .proto file declaring the service, relative to `protoDir`. */
  proto: string;
  /** Fully qualified method: `platform.order.v1.OrderService.GetOrder`. */
  call: string;
  /** The request as JSON (proto field names); strings may hold ghz templates (`{{newUUID}}`). */
  data: Record<string, unknown>;
  /** CPU the load generator is pinned to; unpinned when undefined. */
  cpu?: number;
  /** How long to run; exactly one of durationS and total. */
  durationS?: number;
  /** How many calls to make. */
  total?: number;
  concurrency: number;
  /** HTTP/2 connections the concurrent calls are spread over. Defaults to 1. */
  connections?: number;
  /** Fixed request rate; open loop at full speed when undefined. */
  rps?: number;
  metadata?: Record<string, string>;
  /** Stops ghz (the caller is stopping). */
  signal?: AbortSignal;
}

interface GhzReport {
  count: number;
  rps: number;
  latencyDistribution: { percentage: number; latency: number }[] | null;
  statusCodeDistribution?: Record<string, number>;
  errorDistribution?: Record<string, number> | null;
}

// How a call ghz abandons at the end of a timed run fails.
const cutOffErrors = ['use of closed network connection', 'the client connection is closing'];

const nsPerMs = 1e6;

export async function runGhz(options: GhzRun): Promise<GhzResult> {
  const length =
    options.durationS !== undefined ? ['-z', `${options.durationS}s`] : ['-n', String(options.total ?? 1)];
  const args = [
    '--insecure',
    '--proto',
    options.proto,
    '-i',
    options.includeDirs.join(','),
    '--call',
    options.call,
    '-d',
    JSON.stringify(options.data),
    '-c',
    String(options.concurrency),
    ...length,
    '--connections',
    String(options.connections ?? 1),
    // Data without templates is not re-rendered per call: less load-generator CPU per call.
    ...(JSON.stringify(options.data).includes('{{')
      ? []
      : ['--disable-template-functions', '--disable-template-data']),
    '--format',
    'json',
    ...(options.rps ? ['--rps', String(Math.round(options.rps))] : []),
    ...(options.metadata ? ['-m', JSON.stringify(options.metadata)] : []),
    options.address,
  ];
  const command = pinned(options.cpu, options.ghz, args);
  // Bounded: ghz's own run plus a margin for start and report (a count-bound run gets a minute).
  const timeout = ((options.durationS ?? 60) + 30) * 1000;
  const { stdout } = await run(command.file, command.args, {
    cwd: options.protoDir,
    maxBuffer: 64 * 1024 * 1024,
    timeout,
    killSignal: 'SIGKILL',
    ...(options.signal && { signal: options.signal }),
  });
  const report = JSON.parse(stdout) as GhzReport;
  const percentile = (percentage: number) =>
    (report.latencyDistribution?.find((entry) => entry.percentage === percentage)?.latency ?? NaN) / nsPerMs;
  const codes = report.statusCodeDistribution ?? {};
  const cutOff = Object.entries(report.errorDistribution ?? {})
    .filter(([message]) => cutOffErrors.some((cause) => message.includes(cause)))
    .reduce((total, [, count]) => total + count, 0);
  return {
    rps: report.rps,
    count: report.count,
    errors: report.count - (codes['OK'] ?? 0),
    cutOff,
    codes,
    p50Ms: percentile(50),
    p99Ms: percentile(99),
  };
}
