// Benchmark: the order service through its full chain, as a process from its build, with the
// real user service (also a process) behind CreateOrder. Order service pinned to CPU 0; ghz,
// the user service, the WatchOrder streams and this runner to CPU 1.
//   1. capacity: GetOrder, then CreateOrder (a new request_id per call), ghz closed loop at a
//      fixed concurrency -> requests/s, p50, p99;
//   2. streams: GetOrder at a fixed rate (half the GetOrder capacity) with no WatchOrder
//      stream, with N streams opened and closed again before the run (the same history in the
//      service, nothing held), and with N streams held open by a separate process -> p99 ratio.
// Every measurement runs on a fresh pair of processes on a copy of the same data (one user, the
// order GetOrder reads, the pending orders the streams watch), so none inherits another's
// history; rounds interleave the scenarios and each keeps its median.
import { platformProtosDir, protoFiles, protoIncludeDirs, serviceNames } from '@platform/proto';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopAllOnExit } from '../shared/child-processes.js';
import { cpuMsOf } from '../shared/cpu-time.js';
import { median, medianBy } from '../shared/median.js';
import { canPin, pinSelf } from '../shared/pin-cpu.js';
import { startOtlpSink } from '../shared/otlp-sink.js';
import { runGhz, type GhzResult } from '../shared/run-ghz.js';
import { benchOrderRequest, prepareBenchData, signIn, type BenchData } from './bench-data.js';
import { openServerCalls } from './open-server-calls.js';
import { startOrderStack, type StackSettings } from './order-stack.js';
import { openWatchers, type Watchers, type WatchersSummary } from './order-watchers.js';

const root = resolve(import.meta.dirname, '..', '..', '..', '..');
const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const durationS = setting('BENCH_DURATION_S', 10);
const rounds = setting('BENCH_ROUNDS', 3);
const concurrency = setting('BENCH_CONCURRENCY', 50);
const warmupCalls = setting('BENCH_WARMUP_CALLS', 200);
const streams = setting('BENCH_STREAMS', 1000);
const watchChannels = setting('BENCH_WATCH_CHANNELS', 4);
const watchedOrders = setting('BENCH_WATCHED_ORDERS', 10);
const timeLimitS = setting('BENCH_TIME_LIMIT_S', 1800);
const ghz = process.env['GHZ'] ?? join(process.env['GOPATH'] ?? join(homedir(), 'go'), 'bin', 'ghz');
const orderCpu = 0;
const loadCpu = 1;

type Method = 'GetOrder' | 'CreateOrder';

interface Scenario {
  name: string;
  method: Method;
  /** Fixed rate; closed loop at full speed when undefined. */
  rps?: number;
  /** WatchOrder streams during the run: held open, or opened and closed before it. */
  watchers?: 'held' | 'closed';
}

interface Measured extends GhzResult {
  /** Order service CPU time per call, microseconds. */
  cpuUsPerCall: number;
  /** WatchOrder calls open on the server during the run (its metrics, before and after). */
  serverStreams?: number;
  watchers?: WatchersSummary & { openMs: number };
}

// Every data folder of the run lives in this one, deleted at the end, also after SIGINT.
const tempDir = await mkdtemp(join(tmpdir(), 'order-bench-'));
const removeTempDir = () => rm(tempDir, { recursive: true, force: true });
const abort = new AbortController();
const stopAndExit = stopAllOnExit({ before: () => abort.abort(), after: removeTempDir });
setTimeout(() => stopAndExit(`time limit of ${timeLimitS} s`, 1), timeLimitS * 1000).unref();
const pinning = canPin() && pinSelf(loadCpu);
if (!pinning) console.error('not pinning to CPUs (taskset missing or a single CPU): figures are noisier');

const problems = new Map<string, { count: number; sample: Record<string, unknown> }>();
const sink = await startOtlpSink();
const settings: StackSettings = {
  root,
  tempDir,
  clientSecret: randomBytes(24).toString('base64url'),
  otlpUrl: sink.url,
  cpus: { order: orderCpu, user: loadCpu },
  onProblem: (service, entry) => {
    const err = entry['err'] as { message?: string } | undefined;
    const key = `${service} ${String(entry['level'])}: ${String(entry['msg'])}${err?.message ? ` (${err.message})` : ''}`;
    const seen = problems.get(key) ?? { count: 0, sample: entry };
    seen.count += 1;
    problems.set(key, seen);
  },
};

async function waitForServerCalls(metricsPort: number, expected: number): Promise<number> {
  const until = Date.now() + 15_000;
  let open = await openServerCalls(metricsPort, 'WatchOrder');
  while (open !== expected && Date.now() < until) {
    await sleep(200);
    open = await openServerCalls(metricsPort, 'WatchOrder');
  }
  return open;
}

async function measure(scenario: Scenario, data: BenchData): Promise<Measured> {
  const stack = await startOrderStack(settings, data.template);
  let watchers: Watchers | undefined;
  try {
    const token = await signIn(stack.userAddress, data.email, data.password);
    const base = {
      ghz,
      address: stack.orderAddress,
      protoDir: platformProtosDir,
      includeDirs: protoIncludeDirs,
      proto: protoFiles.orderService,
      call: `${serviceNames.order}.${scenario.method}`,
      data: scenario.method === 'GetOrder' ? { order_id: data.orderId } : benchOrderRequest,
      cpu: loadCpu,
      concurrency,
      metadata: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    };
    let watched: Measured['watchers'];
    if (scenario.watchers) {
      watchers = await openWatchers({
        address: stack.orderAddress,
        token,
        orderIds: data.watchedOrderIds,
        streams,
        channels: watchChannels,
        cpu: loadCpu,
      });
      const { openMs } = watchers;
      if (scenario.watchers === 'closed') {
        watched = { ...(await watchers.stop()), openMs };
        watchers = undefined;
        const left = await waitForServerCalls(stack.orderMetricsPort, 0);
        if (left !== 0) throw new Error(`${left} WatchOrder calls still open on the server after the close`);
      } else {
        const open = await waitForServerCalls(stack.orderMetricsPort, streams);
        if (open !== streams) throw new Error(`the server holds ${open} WatchOrder calls, not ${streams}`);
      }
    }
    await runGhz({ ...base, total: warmupCalls }); // warm-up: JIT, connection, caches
    const cpuBefore = cpuMsOf(stack.orderPid);
    // At a fixed rate, a count (no call cut off at the end); at full speed, a duration.
    const length = scenario.rps ? { total: Math.round(scenario.rps * durationS) } : { durationS };
    const result = await runGhz({ ...base, ...length, ...(scenario.rps && { rps: scenario.rps }) });
    const cpuMs = cpuMsOf(stack.orderPid) - cpuBefore;
    const serverStreams = await openServerCalls(stack.orderMetricsPort, 'WatchOrder');
    if (watchers) {
      const { openMs } = watchers;
      watched = { ...(await watchers.stop()), openMs };
      watchers = undefined;
      // Let the server see the cancellations before it is stopped (else they end UNAVAILABLE).
      await waitForServerCalls(stack.orderMetricsPort, 0);
    }
    return {
      ...result,
      cpuUsPerCall: (cpuMs * 1000) / Math.max(1, result.count),
      serverStreams,
      ...(watched && { watchers: watched }),
    };
  } finally {
    await watchers?.stop().catch(() => undefined);
    await stack.stop();
  }
}

function describe(result: Measured): string {
  const codes = Object.entries(result.codes)
    .filter(([code]) => code !== 'OK')
    .map(([code, count]) => `${code} ${count}`);
  if (result.cutOff) codes.push(`(${result.cutOff} of them cut off at the end)`);
  const streamsNote = result.watchers
    ? `, streams: opened in ${result.watchers.openMs} ms, ${result.watchers.ended} ended early` +
      `, ${result.serverStreams} open on the server at the end`
    : '';
  return (
    `${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ` +
    `${result.cpuUsPerCall.toFixed(0)} µs CPU/call${codes.length ? `, not OK: ${codes.join(', ')}` : ''}${streamsNote}`
  );
}

/** Runs the scenarios `rounds` times, interleaved (A B C A B C …); the median of each by `key`. */
async function phase(
  label: string,
  scenarios: Scenario[],
  key: 'rps' | 'p99Ms',
  data: BenchData,
): Promise<Measured[]> {
  const runs: Measured[][] = scenarios.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, scenario] of scenarios.entries()) {
      const result = await measure(scenario, data);
      runs[index]?.push(result);
      console.error(`${label} round ${round + 1} ${scenario.name}: ${describe(result)}`);
    }
  }
  return runs.map((results) => ({
    ...medianBy(results, (result) => result[key]),
    cpuUsPerCall: median(results.map((result) => result.cpuUsPerCall)),
    // Over all rounds: calls that failed, not counting those ghz cut off at the end of a run.
    errors: results.reduce((total, result) => total + result.errors - result.cutOff, 0),
  }));
}

try {
  const data = await prepareBenchData(settings, watchedOrders);
  console.error(
    `node ${process.version}, ${durationS} s per run, ${rounds} rounds, concurrency ${concurrency}, ` +
      `pinned: ${pinning ? `order-service CPU ${orderCpu}, the rest CPU ${loadCpu}` : 'no'}`,
  );
  const capacityScenarios: Scenario[] = [
    { name: 'GetOrder max', method: 'GetOrder' },
    { name: 'CreateOrder max', method: 'CreateOrder' },
  ];
  const capacity = await phase('capacity', capacityScenarios, 'rps', data);
  const getOrderCapacity = capacity[0];
  if (!getOrderCapacity) throw new Error('GetOrder capacity not measured');
  const fixedRps = setting('BENCH_FIXED_RPS', Math.max(1, Math.round(getOrderCapacity.rps / 2)));

  const streamScenarios: Scenario[] = [
    { name: `GetOrder @ ${fixedRps}/s, no streams`, method: 'GetOrder', rps: fixedRps },
    {
      name: `GetOrder @ ${fixedRps}/s, ${streams} streams opened+closed`,
      method: 'GetOrder',
      rps: fixedRps,
      watchers: 'closed',
    },
    {
      name: `GetOrder @ ${fixedRps}/s, ${streams} streams held`,
      method: 'GetOrder',
      rps: fixedRps,
      watchers: 'held',
    },
  ];
  const latency = await phase('streams', streamScenarios, 'p99Ms', data);
  const baseline = latency[0];
  if (!baseline) throw new Error('no baseline measured');

  const rows = [
    ...capacityScenarios.map((scenario, index) => ({ scenario, result: capacity[index], ratio: '' })),
    ...streamScenarios.map((scenario, index) => {
      const result = latency[index];
      return { scenario, result, ratio: result ? (result.p99Ms / baseline.p99Ms).toFixed(2) : '' };
    }),
  ];
  console.log(
    `\nOrder service, full chain; ${durationS} s runs, ${rounds} rounds, medians; concurrency ${concurrency}; ` +
      `${streams} streams over ${watchChannels} connections on ${watchedOrders} pending orders.`,
  );
  console.log(
    '| scenario | req/s | p50 ms | p99 ms | p99 x no streams | order-service CPU µs/call | failed calls (all rounds) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { scenario, result, ratio } of rows) {
    if (!result) continue;
    console.log(
      `| ${scenario.name} | ${result.rps.toFixed(0)} | ${result.p50Ms.toFixed(2)} | ${result.p99Ms.toFixed(2)} | ` +
        `${ratio} | ${result.cpuUsPerCall.toFixed(0)} | ${result.errors} |`,
    );
  }
  const [, closed, held] = latency;
  if (closed && held) {
    // What holding the streams costs, apart from what serving their opening left behind.
    console.log(
      `\np99 with ${streams} streams held / opened+closed: ${(held.p99Ms / closed.p99Ms).toFixed(2)}`,
    );
  }
  console.log(`OTLP export requests received: ${sink.requests()}`);
  if (problems.size) {
    console.log('Service log lines above info:');
    for (const [key, { count, sample }] of problems) {
      console.log(`  ${count} x ${key}`);
      if (process.env['BENCH_VERBOSE']) console.log(`    ${JSON.stringify(sample)}`);
    }
  } else {
    console.log('No service log line above info.');
  }
} finally {
  await removeTempDir();
  sink.server.close();
}
