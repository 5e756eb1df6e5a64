// Benchmark of the client side: the same outgoing unary call (GetOrder) from a raw ts-proto
// client and through the platform's client chain as services build it (deadline, tracing at 100%
// with batch OTLP export to a loopback sink, metrics, a log line per call, its own token, retry,
// circuit breaker), both on the platform's channel options, against raw grpc-js. The client runs
// in a process of its own pinned to CPU 1 (client-loop.ts), the server on CPU 0; one variant at a
// time, rounds interleaved, medians kept.
//   1. capacity: closed loop, BENCH_CONCURRENCY calls in flight -> calls/s, client CPU per call
//      and the CPU shares of client and server (which of them limits the rate);
//   2. latency: open loop at half the raw client's capacity -> p50/p99.
import { join } from 'node:path';
import { parseJsonLine, startProcess, stopAllOnExit, stopProcess } from '../shared/child-processes.js';
import { cpuMsOf } from '../shared/cpu-time.js';
import { median, medianBy } from '../shared/median.js';
import { startOtlpSink } from '../shared/otlp-sink.js';
import { comparisonRows, writeComparison } from './comparison-report.js';

const durationS = Number(process.env['BENCH_DURATION_S'] ?? 10);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const variants = [
  { name: 'raw ts-proto client', client: 'raw' },
  { name: 'client chain', client: 'chain' },
] as const;

interface Measured {
  count: number;
  errors: number;
  rps: number;
  cpuUsPerCall: number;
  clientCpuShare: number;
  serverCpuShare: number;
  p50Ms: number;
  p99Ms: number;
}

stopAllOnExit();
const sink = await startOtlpSink();
const server = await startProcess({
  name: 'raw grpc-js server',
  file: process.execPath,
  args: [join(import.meta.dirname, 'raw-server.js')],
  env: process.env,
  cpu: 0,
  ready: (line) => parseJsonLine(line)?.['port'] as number | undefined,
});

async function measure(client: 'raw' | 'chain', rate?: number): Promise<Measured> {
  let serverBefore = { cpuMs: 0, wallMs: 0 };
  const loop = await startProcess({
    name: `${client} client`,
    file: process.execPath,
    args: [join(import.meta.dirname, 'client-loop.js')],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      BENCH_CLIENT: client,
      BENCH_TARGET: `127.0.0.1:${server.ready}`,
      BENCH_DURATION_S: String(durationS),
      ...(rate !== undefined && { BENCH_RATE: String(Math.round(rate)) }),
    },
    cpu: 1,
    readyTimeoutMs: (durationS + 60) * 1000,
    onLine: (line) => {
      if (parseJsonLine(line)?.['measuring'])
        serverBefore = { cpuMs: cpuMsOf(server.pid), wallMs: performance.now() };
    },
    ready: (line) => {
      const message = parseJsonLine(line);
      if (!message?.['done']) return undefined;
      const serverMs = cpuMsOf(server.pid) - serverBefore.cpuMs;
      return {
        ...message,
        serverCpuShare: serverMs / (performance.now() - serverBefore.wallMs),
      } as unknown as Measured;
    },
  });
  await stopProcess(loop.child, 5_000);
  return loop.ready;
}

async function phase(label: string, rate?: number): Promise<Measured[]> {
  const runs: Measured[][] = variants.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, variant] of variants.entries()) {
      const result = await measure(variant.client, rate);
      runs[index]?.push(result);
      console.error(
        `${label} round ${round + 1} ${variant.name}: ${result.rps.toFixed(0)} calls/s, p99 ${result.p99Ms.toFixed(2)} ms, ` +
          `${result.cpuUsPerCall.toFixed(0)} µs client CPU/call, client ${result.clientCpuShare.toFixed(2)} / ` +
          `server ${result.serverCpuShare.toFixed(2)} of a core`,
      );
    }
  }
  return runs.map((results) => ({
    ...medianBy(results, (result) => (rate ? result.p99Ms : result.rps)),
    cpuUsPerCall: median(results.map((result) => result.cpuUsPerCall)),
    clientCpuShare: median(results.map((result) => result.clientCpuShare)),
    serverCpuShare: median(results.map((result) => result.serverCpuShare)),
  }));
}

const capacity = await phase('capacity');
const rawCapacity = capacity[0] as Measured;
const fixedRps = rawCapacity.rps / 2;
const latency = await phase('latency', fixedRps);
await stopProcess(server.child, 5_000);
sink.server.close();

const rows = comparisonRows(
  variants.map((variant) => variant.name),
  capacity,
  latency,
  (max) => ({ clientCpuShare: max.clientCpuShare, serverCpuShare: max.serverCpuShare }),
);
const fixedLabel = `@ ${Math.round(fixedRps)}/s`;
writeComparison(
  'grpc-client-chain.json',
  {
    date: new Date().toISOString(),
    node: process.version,
    durationS,
    rounds,
    fixedRps: Math.round(fixedRps),
    otlpExportRequests: sink.requests(),
    rows,
  },
  [
    ['variant', 'variant'],
    ['max calls/s', 'rps'],
    ['x raw', 'rpsRatio'],
    ['client CPU µs/call', 'cpuUsPerCall'],
    ['x raw', 'cpuRatio'],
    ['client CPU share', 'clientCpuShare'],
    ['server CPU share', 'serverCpuShare'],
    [`p50 ms ${fixedLabel}`, 'p50Ms'],
    ['p99 ms', 'p99Ms'],
    ['p99 x raw', 'p99Ratio'],
    ['errors', 'errors'],
  ],
);
