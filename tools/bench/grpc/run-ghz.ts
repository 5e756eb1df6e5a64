import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What one ghz run measured. */
export interface GhzResult {
  rps: number;
  count: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** Options of one ghz run against GetOrder. */
export interface GhzRun {
  ghz: string;
  address: string;
  protoDir: string;
  includeDirs: readonly string[];
  /** CPU the load generator is pinned to. */
  cpu: number;
  durationS: number;
  concurrency: number;
  /** Fixed request rate; open loop at full speed when undefined. */
  rps?: number;
  metadata?: Record<string, string>;
}

interface GhzReport {
  count: number;
  rps: number;
  latencyDistribution: { percentage: number; latency: number }[] | null;
  statusCodeDistribution?: Record<string, number>;
}

const nsPerMs = 1e6;

export async function runGhz(options: GhzRun): Promise<GhzResult> {
  const args = [
    '-c',
    String(options.cpu),
    options.ghz,
    '--insecure',
    '--proto',
    'platform/order/v1/order_service.proto',
    '-i',
    options.includeDirs.join(','),
    '--call',
    'platform.order.v1.OrderService.GetOrder',
    '-d',
    JSON.stringify({ order_id: '6f1c1a55-1d2e-4f6b-8a51-0c8f1d7c2b3a' }),
    '-c',
    String(options.concurrency),
    '-z',
    `${options.durationS}s`,
    '--connections',
    '1',
    '--format',
    'json',
    ...(options.rps ? ['--rps', String(Math.round(options.rps))] : []),
    ...(options.metadata ? ['-m', JSON.stringify(options.metadata)] : []),
    options.address,
  ];
  const { stdout } = await run('taskset', args, { cwd: options.protoDir, maxBuffer: 64 * 1024 * 1024 });
  const report = JSON.parse(stdout) as GhzReport;
  const percentile = (percentage: number) =>
    (report.latencyDistribution?.find((entry) => entry.percentage === percentage)?.latency ?? NaN) / nsPerMs;
  const ok = report.statusCodeDistribution?.['OK'] ?? 0;
  return {
    rps: report.rps,
    count: report.count,
    errors: report.count - ok,
    p50Ms: percentile(50),
    p99Ms: percentile(99),
  };
}
