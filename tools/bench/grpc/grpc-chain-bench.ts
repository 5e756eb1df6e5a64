// Benchmark: the same unary handler (GetOrder) on raw grpc-js, behind the platform's full
// server chain, on NestJS without enhancers, and on two peers doing the chain's work with stock
// parts (grpc-js + OpenTelemetry's instrumentation, nice-grpc + its middlewares). Server pinned
// to CPU 0, the load (BENCH_GHZ_PROCESSES ghz processes) to CPU 1, one variant at a time, all in
// one run so the ratios compare like with like.
//   1. capacity: ghz at full speed (closed loop) -> requests/s, and the server's CPU share
//      (server CPU ms / wall ms: near 1 when the load saturates it);
//   2. latency: ghz at a fixed rate of half the raw capacity -> p50/p99.
// Targets (issue 3): full chain >= 0.70x raw RPS and p99 <= 1.3x raw; NestJS bare >= 0.95x raw.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseJsonLine, startProcess, stopAllOnExit, stopProcess } from '../shared/child-processes.js';
import { childrenCpuMs, cpuMsOf } from '../shared/cpu-time.js';
import { median, medianBy } from '../shared/median.js';
import { startOtlpSink } from '../shared/otlp-sink.js';
import { comparisonRows, writeComparison } from './comparison-report.js';
import type { GhzResult } from '../shared/run-ghz.js';
import { runGhzProcesses } from '../shared/run-ghz-processes.js';

const root = resolve(import.meta.dirname, '..', '..', '..', '..');
const durationS = Number(process.env['BENCH_DURATION_S'] ?? 10);
const ghz = process.env['GHZ'] ?? join(process.env['GOPATH'] ?? join(homedir(), 'go'), 'bin', 'ghz');
// Enough load from one core to saturate raw grpc-js on the other: ghz's cost per call is mostly
// per connection and templating, so several processes, each with a few connections.
const ghzProcesses = Number(process.env['BENCH_GHZ_PROCESSES'] ?? 2);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 2);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const includeDirs = [join(root, 'protos'), join(root, 'node_modules', 'google-proto-files')];

interface Variant {
  name: string;
  script: string;
  env?: NodeJS.ProcessEnv;
}

// BENCH_BREAKDOWN=1 adds the chain without one concern at a time, to attribute its cost.
const breakdown = ['tracing', 'logging', 'metrics', 'auth', 'deadline', 'shutdown'].map(
  (concern): Variant => ({
    name: `chain - ${concern}`,
    script: 'chain-server.js',
    env: { BENCH_WITHOUT: concern },
  }),
);
const variants: Variant[] = [
  { name: 'raw grpc-js', script: 'raw-server.js' },
  { name: 'full chain', script: 'chain-server.js' },
  { name: 'NestJS bare', script: 'nest-server.js' },
  { name: 'grpc-js + stock OTel', script: 'stock-otel-server.js' },
  { name: 'nice-grpc + middlewares', script: 'nice-grpc-server.js' },
  ...(process.env['BENCH_BREAKDOWN'] ? breakdown : []),
];

interface Measured extends GhzResult {
  /** Server CPU time per call, microseconds. */
  cpuUsPerCall: number;
  /** Server CPU ms / wall ms over the measured run: the share of its core it used. */
  serverCpuShare: number;
  /** The same for the load generator (all ghz processes). */
  loadCpuShare: number;
}

interface Started {
  stop: () => Promise<void>;
  pid: number;
  port: number;
  token?: string;
}

async function startServer(variant: Variant, env: NodeJS.ProcessEnv): Promise<Started> {
  const started = await startProcess({
    name: variant.name,
    file: process.execPath,
    args: [join(import.meta.dirname, variant.script)],
    env: { ...process.env, ...env },
    cpu: 0,
    readyTimeoutMs: 30_000,
    ready: (line) => {
      const message = parseJsonLine(line);
      return message?.['ready'] ? (message as { port: number; token?: string }) : undefined;
    },
  });
  return {
    stop: () => stopProcess(started.child, 5_000),
    pid: started.pid,
    port: started.ready.port,
    token: started.ready.token,
  };
}

async function measure(variant: Variant, env: NodeJS.ProcessEnv, rps?: number): Promise<Measured> {
  const started = await startServer(variant, { ...env, ...variant.env });
  try {
    const base = {
      ghz,
      address: `127.0.0.1:${started.port}`,
      protoDir: join(root, 'protos'),
      includeDirs,
      proto: 'platform/order/v1/order_service.proto',
      call: 'platform.order.v1.OrderService.GetOrder',
      data: { order_id: '6f1c1a55-1d2e-4f6b-8a51-0c8f1d7c2b3a' },
      cpu: 1,
      concurrency,
      connections,
      metadata: started.token ? { authorization: `Bearer ${started.token}` } : undefined,
    };
    await runGhzProcesses({ ...base, durationS: 2 }, ghzProcesses); // warm-up: JIT, connections, caches
    const cpuBefore = cpuMsOf(started.pid);
    const loadBefore = childrenCpuMs();
    const wallBefore = performance.now();
    const result = await runGhzProcesses(
      { ...base, durationS, ...(rps !== undefined && { rps }) },
      ghzProcesses,
    );
    const wallMs = performance.now() - wallBefore;
    const serverMs = cpuMsOf(started.pid) - cpuBefore;
    // Server CPU per call: far steadier than req/s on a shared VM, and what the chain costs.
    return {
      ...result,
      cpuUsPerCall: (serverMs * 1000) / Math.max(1, result.count),
      serverCpuShare: serverMs / wallMs,
      loadCpuShare: (childrenCpuMs() - loadBefore) / wallMs,
    };
  } finally {
    await started.stop();
  }
}

stopAllOnExit();
const sink = await startOtlpSink();
const env = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, NODE_ENV: 'production' };
// Each phase runs ROUNDS rounds with the variants interleaved (A B C A B C ...) and keeps the
// median per variant: a shared VM's noise moves single runs by tens of percent.
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);

function medianOf(results: Measured[], key: 'rps' | 'p99Ms'): Measured {
  const chosen = medianBy(results, (result) => result[key]);
  return {
    ...chosen,
    cpuUsPerCall: median(results.map((result) => result.cpuUsPerCall)),
    serverCpuShare: median(results.map((result) => result.serverCpuShare)),
    loadCpuShare: median(results.map((result) => result.loadCpuShare)),
  };
}

async function phase(label: string, rps?: number): Promise<Measured[]> {
  const runs: Measured[][] = variants.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, variant] of variants.entries()) {
      const result = await measure(variant, env, rps);
      runs[index]?.push(result);
      console.error(
        `${label} round ${round + 1} ${variant.name}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, ` +
          `${result.cpuUsPerCall.toFixed(0)} µs CPU/call, server ${result.serverCpuShare.toFixed(2)} / ` +
          `load ${result.loadCpuShare.toFixed(2)} of a core`,
      );
    }
  }
  return runs.map((results) => medianOf(results, rps ? 'p99Ms' : 'rps'));
}

const capacity = await phase('capacity');
const [rawCapacity] = capacity;
if (!rawCapacity) throw new Error('no baseline measured');
const fixedRps = rawCapacity.rps / 2;
// BENCH_CAPACITY_ONLY=1 skips the fixed-rate phase (for quick breakdowns).
const latency = process.env['BENCH_CAPACITY_ONLY'] ? capacity : await phase('latency', fixedRps);
sink.server.close();

const rows = comparisonRows(
  variants.map((variant) => variant.name),
  capacity,
  latency,
  (max) => ({ serverCpuShare: max.serverCpuShare, loadCpuShare: max.loadCpuShare }),
);
writeComparison(
  'grpc-chain.json',
  {
    date: new Date().toISOString(),
    node: process.version,
    durationS,
    rounds,
    ghzProcesses,
    connections,
    concurrency,
    fixedRps: Math.round(fixedRps),
    otlpExportRequests: sink.requests(),
    rows,
  },
  [
    ['variant', 'variant'],
    ['max req/s', 'rps'],
    ['x raw', 'rpsRatio'],
    ['server CPU µs/call', 'cpuUsPerCall'],
    ['x raw', 'cpuRatio'],
    ['server CPU share', 'serverCpuShare'],
    ['load CPU share', 'loadCpuShare'],
    [`p50 ms @ ${Math.round(fixedRps)}/s`, 'p50Ms'],
    ['p99 ms', 'p99Ms'],
    ['p99 x raw', 'p99Ratio'],
    ['errors', 'errors'],
  ],
);
