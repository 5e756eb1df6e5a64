// Benchmark: the order service through its full chain, as a process from its build, with the
// real user service (also a process) behind CreateOrder, per database: PGlite (embedded) and
// PostgreSQL (a throwaway server of the benchmark's own, a database and role per service as in
// production), on a Kafka broker of its own as `npm run dev` runs them (BENCH_KAFKA=0: none, the
// events stay in the outboxes). Order service (or floor server) pinned to CPU 0; ghz, the user
// service, the WatchOrder streams, PostgreSQL, Kafka and this runner to CPU 1.
//   1. capacity: GetOrder, then CreateOrder (a new request_id per call), ghz closed loop at a
//      fixed concurrency -> requests/s, p50, p99; on PostgreSQL also the floor server
//      (floor-server.ts: grpc-js and `pg` issuing the service's statements) -> service / floor;
//   2. streams: GetOrder at a fixed rate (half the GetOrder capacity) with no WatchOrder
//      stream, with N streams opened and closed again before the run (the same history in the
//      service, nothing held), and with N streams held open by a separate process -> p99 ratio.
// Every measurement runs on a fresh pair of processes on a copy of the same data (one user, the
// order GetOrder reads, the pending orders the streams watch), so none inherits another's
// history; rounds interleave the scenarios and each keeps its median. BENCH_DATABASES picks the
// databases (default both, PostgreSQL when its server binaries are installed); BENCH_CPU_PROFILE
// (a folder) adds one capacity run of the service on PostgreSQL under `node --cpu-prof`, of
// GetOrder or of BENCH_CPU_PROFILE_METHOD.
// Results: the tables on stdout and dist/bench/order-service.json.
import { platformProtosDir, protoFiles, protoIncludeDirs, serviceNames } from '@platform/proto';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopAllOnExit } from '../shared/child-processes.js';
import { cpuMsOf } from '../shared/cpu-time.js';
import { median, medianBy } from '../shared/median.js';
import { canPin, pinSelf, pinTree } from '../shared/pin-cpu.js';
import { startKafkaBroker, type KafkaBroker } from '../shared/kafka-broker.js';
import { startPostgresServer, type PostgresServer } from '../shared/postgres-server.js';
import { startOtlpSink } from '../shared/otlp-sink.js';
import { runGhz, type GhzResult } from '../shared/run-ghz.js';
import { benchOrderRequest, prepareBenchData, signIn, type BenchData } from './bench-data.js';
import { startFloorServer } from './floor-process.js';
import { openServerCalls } from './open-server-calls.js';
import { startOrderStack, type OrderStack, type StackSettings } from './order-stack.js';
import { openWatchers, type Watchers, type WatchersSummary } from './order-watchers.js';
import {
  databaseKinds,
  pgliteDatabases,
  postgresDatabases,
  type DatabaseKind,
  type StackDatabases,
} from './stack-databases.js';

const root = resolve(import.meta.dirname, '..', '..', '..', '..');
const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const durationS = setting('BENCH_DURATION_S', 10);
const rounds = setting('BENCH_ROUNDS', 3);
const concurrency = setting('BENCH_CONCURRENCY', 50);
const warmupCalls = setting('BENCH_WARMUP_CALLS', 200);
const streams = setting('BENCH_STREAMS', 1000);
const watchChannels = setting('BENCH_WATCH_CHANNELS', 4);
const watchedOrders = setting('BENCH_WATCHED_ORDERS', 10);
const timeLimitS = setting('BENCH_TIME_LIMIT_S', 3600);
const ghz = process.env['GHZ'] ?? join(process.env['GOPATH'] ?? join(homedir(), 'go'), 'bin', 'ghz');
const profileDir = process.env['BENCH_CPU_PROFILE'] ? resolve(process.env['BENCH_CPU_PROFILE']) : undefined;
const profiledMethod = process.env['BENCH_CPU_PROFILE_METHOD'] ?? 'GetOrder';
if (profiledMethod !== 'GetOrder' && profiledMethod !== 'CreateOrder') {
  throw new Error(`BENCH_CPU_PROFILE_METHOD: ${profiledMethod} is not GetOrder or CreateOrder`);
}
const databasesSetting = process.env['BENCH_DATABASES'];
const requestedDatabases = (databasesSetting ?? databaseKinds.join(','))
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);
for (const name of requestedDatabases) {
  if (!databaseKinds.includes(name as DatabaseKind)) {
    throw new Error(`BENCH_DATABASES: ${name} is not one of ${databaseKinds.join(', ')}`);
  }
}
const orderCpu = 0;
const loadCpu = 1;

type Method = 'GetOrder' | 'CreateOrder';

interface Scenario {
  name: string;
  method: Method;
  /** The order service through its chain, or the floor server (PostgreSQL only). */
  variant: 'service' | 'floor';
  /** Fixed rate; closed loop at full speed when undefined. */
  rps?: number;
  /** WatchOrder streams during the run: held open, or opened and closed before it. */
  watchers?: 'held' | 'closed';
}

interface Measured extends GhzResult {
  /** Server (order service or floor) CPU time per call, microseconds. */
  cpuUsPerCall: number;
  /** WatchOrder calls open on the server during the run (its metrics, before and after). */
  serverStreams?: number;
  watchers?: WatchersSummary & { openMs: number };
  /** The measured run (after the warm-up), epoch ms. */
  run: { from: number; to: number };
  /** When the measured server's process was started, epoch ms. */
  serverStartedAt?: number;
}

// Every data folder of the run lives in this one, deleted at the end, also after SIGINT.
const tempDir = await mkdtemp(join(tmpdir(), 'order-bench-'));
const removeTempDir = () => rm(tempDir, { recursive: true, force: true });
const abort = new AbortController();
let postgres: PostgresServer | undefined;
const stopPostgres = async () => {
  await postgres?.stop();
  postgres = undefined;
};
let kafka: KafkaBroker | undefined;
const stopAndExit = stopAllOnExit({
  before: () => abort.abort(),
  after: () => Promise.allSettled([removeTempDir(), stopPostgres(), kafka?.stop()]).then(() => undefined),
});
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

/** One database kind of the run: where its stacks keep their data, and the data they start from. */
interface Target {
  databases: StackDatabases;
  data: BenchData;
}

async function waitForServerCalls(metricsPort: number, expected: number): Promise<number> {
  const until = Date.now() + 15_000;
  let open = await openServerCalls(metricsPort, 'WatchOrder');
  while (open !== expected && Date.now() < until) {
    await sleep(200);
    open = await openServerCalls(metricsPort, 'WatchOrder');
  }
  return open;
}

/** The ghz run of a scenario against `address`: warm-up, then the measured run and the server's CPU time. */
async function load(
  scenario: Scenario,
  data: BenchData,
  server: { address: string; pid: number },
  token: string,
): Promise<Measured> {
  const base = {
    ghz,
    address: server.address,
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
  await runGhz({ ...base, total: warmupCalls }); // warm-up: JIT, connection, caches
  const from = Date.now();
  const cpuBefore = cpuMsOf(server.pid);
  // At a fixed rate, a count (no call cut off at the end); at full speed, a duration.
  const length = scenario.rps ? { total: Math.round(scenario.rps * durationS) } : { durationS };
  const result = await runGhz({ ...base, ...length, ...(scenario.rps && { rps: scenario.rps }) });
  const cpuMs = cpuMsOf(server.pid) - cpuBefore;
  return {
    ...result,
    cpuUsPerCall: (cpuMs * 1000) / Math.max(1, result.count),
    run: { from, to: Date.now() },
  };
}

async function measureFloor(scenario: Scenario, target: Target): Promise<Measured> {
  const database = await target.databases.copyOrderDatabase();
  try {
    const floor = await startFloorServer({
      databaseUrl: database.urls,
      ownerId: target.data.userId,
      cpu: orderCpu,
    });
    try {
      // The floor has no auth; ghz sends the same metadata (a token's size) all the same.
      return await load(scenario, target.data, floor, 'floor');
    } finally {
      await floor.stop();
    }
  } finally {
    await database.drop();
  }
}

async function measure(scenario: Scenario, target: Target, orderNodeArgs?: string[]): Promise<Measured> {
  if (scenario.variant === 'floor') return measureFloor(scenario, target);
  const { data } = target;
  const databases = await target.databases.copy();
  let stack: OrderStack | undefined;
  let watchers: Watchers | undefined;
  try {
    stack = await startOrderStack(settings, {
      template: data.template,
      ...(databases.urls && { databases: databases.urls }),
      ...(orderNodeArgs && { orderNodeArgs }),
    });
    const token = await signIn(stack.userAddress, data.email, data.password);
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
    const result = await load(scenario, data, { address: stack.orderAddress, pid: stack.orderPid }, token);
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
      serverStreams,
      serverStartedAt: stack.orderStartedAt,
      ...(watched && { watchers: watched }),
    };
  } finally {
    await watchers?.stop().catch(() => undefined);
    await stack?.stop();
    await databases.drop();
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
  target: Target,
): Promise<Measured[]> {
  const runs: Measured[][] = scenarios.map(() => []);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, scenario] of scenarios.entries()) {
      const result = await measure(scenario, target);
      runs[index]?.push(result);
      console.error(
        `${target.databases.kind} ${label} round ${round + 1} ${scenario.name}: ${describe(result)}`,
      );
    }
  }
  return runs.map((results) => ({
    ...medianBy(results, (result) => result[key]),
    cpuUsPerCall: median(results.map((result) => result.cpuUsPerCall)),
    // Over all rounds: calls that failed, not counting those ghz cut off at the end of a run.
    errors: results.reduce((total, result) => total + result.errors - result.cutOff, 0),
  }));
}

/** A row of the results: one scenario on one database, its medians. */
interface Row {
  database: DatabaseKind;
  variant: Scenario['variant'];
  scenario: string;
  method: Method;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerCall: number;
  failedCalls: number;
  /** Capacity: service req/s over the floor's, on the same database. */
  rpsXFloor?: number;
  /** Capacity: service p99 over the floor's (above 1: the service is slower). */
  p99XFloor?: number;
  /**
   * Capacity: service CPU per call over the floor's. Steadier than req/s: with PostgreSQL and the
   * load generator sharing the other CPU, the floor may not fill its own CPU.
   */
  cpuXFloor?: number;
  /** Streams: p99 over the same database's no-stream baseline. */
  p99XNoStreams?: number;
}

const rowOf = (database: DatabaseKind, scenario: Scenario, result: Measured): Row => ({
  database,
  variant: scenario.variant,
  scenario: scenario.name,
  method: scenario.method,
  rps: result.rps,
  p50Ms: result.p50Ms,
  p99Ms: result.p99Ms,
  cpuUsPerCall: result.cpuUsPerCall,
  failedCalls: result.errors,
});

async function benchDatabase(target: Target): Promise<{ capacity: Row[]; streams: Row[] }> {
  const kind = target.databases.kind;
  const methods: Method[] = ['GetOrder', 'CreateOrder'];
  const capacityScenarios: Scenario[] = methods.map((method) => ({
    name: `${method} max`,
    method,
    variant: 'service',
  }));
  if (kind === 'postgres') {
    for (const method of methods) capacityScenarios.push({ name: `${method} max`, method, variant: 'floor' });
  }
  const capacity = (await phase('capacity', capacityScenarios, 'rps', target)).map((result, index) =>
    rowOf(kind, capacityScenarios[index] as Scenario, result),
  );
  for (const row of capacity) {
    const floor = capacity.find((other) => other.variant === 'floor' && other.method === row.method);
    if (row.variant === 'service' && floor) {
      row.rpsXFloor = row.rps / floor.rps;
      row.p99XFloor = row.p99Ms / floor.p99Ms;
      row.cpuXFloor = row.cpuUsPerCall / floor.cpuUsPerCall;
    }
  }
  const getOrderCapacity = capacity.find((row) => row.variant === 'service' && row.method === 'GetOrder');
  if (!getOrderCapacity) throw new Error('GetOrder capacity not measured');
  const fixedRps = setting('BENCH_FIXED_RPS', Math.max(1, Math.round(getOrderCapacity.rps / 2)));

  const at = `GetOrder @ ${fixedRps}/s`;
  const withoutStreams: Scenario = {
    name: `${at}, no streams`,
    method: 'GetOrder',
    variant: 'service',
    rps: fixedRps,
  };
  // BENCH_STREAMS=0 keeps the fixed-rate run without streams only (what the others compare with).
  const allStreamScenarios: Scenario[] = [
    withoutStreams,
    {
      name: `${at}, ${streams} streams opened+closed`,
      method: 'GetOrder',
      variant: 'service',
      rps: fixedRps,
      watchers: 'closed',
    },
    {
      name: `${at}, ${streams} streams held`,
      method: 'GetOrder',
      variant: 'service',
      rps: fixedRps,
      watchers: 'held',
    },
  ];
  const streamScenarios = streams > 0 ? allStreamScenarios : [withoutStreams];
  const latency = (await phase('streams', streamScenarios, 'p99Ms', target)).map((result, index) =>
    rowOf(kind, streamScenarios[index] as Scenario, result),
  );
  const baseline = latency[0];
  for (const row of latency) if (baseline) row.p99XNoStreams = row.p99Ms / baseline.p99Ms;
  return { capacity, streams: latency };
}

/** A `node --cpu-prof` profile, and where in it the measured run is (ms after its start). */
interface CpuProfile {
  file: string;
  windowMs: [number, number];
}

/** One more capacity run of `method` on the service on `target` under `node --cpu-prof`. */
async function profileCapacity(target: Target, method: Method, dir: string): Promise<CpuProfile> {
  await mkdir(dir, { recursive: true });
  const before = new Set(await readdir(dir));
  const scenario: Scenario = { name: `${method} max (profiled)`, method, variant: 'service' };
  const result = await measure(scenario, target, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  console.error(`${target.databases.kind} profile ${scenario.name}: ${describe(result)}`);
  const written = (await readdir(dir)).filter((file) => !before.has(file) && file.endsWith('.cpuprofile'));
  if (written.length !== 1) {
    throw new Error(`expected one new .cpuprofile in ${dir}, found ${written.length}`);
  }
  const started = result.serverStartedAt ?? result.run.from;
  return {
    file: join(dir, written[0] as string),
    windowMs: [result.run.from - started, result.run.to - started],
  };
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined ? '' : value.toFixed(digits);

function printTables(capacity: Row[], latency: Row[]): void {
  console.log(
    `\nOrder service, full chain; ${durationS} s runs, ${rounds} rounds, medians; concurrency ${concurrency}.`,
  );
  console.log(
    '| database | server | scenario | req/s | p50 ms | p99 ms | req/s x floor | p99 x floor | server CPU µs/call | CPU x floor | failed calls (all rounds) |',
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of capacity) {
    console.log(
      `| ${row.database} | ${row.variant} | ${row.scenario} | ${row.rps.toFixed(0)} | ${row.p50Ms.toFixed(2)} | ` +
        `${row.p99Ms.toFixed(2)} | ${fixed(row.rpsXFloor, 2)} | ${fixed(row.p99XFloor, 2)} | ` +
        `${row.cpuUsPerCall.toFixed(0)} | ${fixed(row.cpuXFloor, 2)} | ${row.failedCalls} |`,
    );
  }
  console.log(
    `\nWatchOrder streams: ${streams} over ${watchChannels} connections on ${watchedOrders} pending orders.`,
  );
  console.log(
    '| database | scenario | req/s | p50 ms | p99 ms | p99 x no streams | order-service CPU µs/call | failed calls (all rounds) |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of latency) {
    console.log(
      `| ${row.database} | ${row.scenario} | ${row.rps.toFixed(0)} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ` +
        `${fixed(row.p99XNoStreams, 2)} | ${row.cpuUsPerCall.toFixed(0)} | ${row.failedCalls} |`,
    );
  }
  for (const database of new Set(latency.map((row) => row.database))) {
    const [, closed, held] = latency.filter((row) => row.database === database);
    // What holding the streams costs, apart from what serving their opening left behind.
    if (closed && held) {
      console.log(
        `${database}: p99 with ${streams} streams held / opened+closed: ${(held.p99Ms / closed.p99Ms).toFixed(2)}`,
      );
    }
  }
}

/** The PostgreSQL server for the run, or undefined when the run is on PGlite only. */
async function startPostgres(): Promise<PostgresServer | undefined> {
  if (!requestedDatabases.includes('postgres')) return undefined;
  try {
    const server = await startPostgresServer();
    // The database works for the load side: CPU 0 is the measured server's alone.
    if (pinning && !pinTree(server.pid, loadCpu)) console.error('could not pin PostgreSQL to the load CPU');
    return server;
  } catch (error) {
    // Asked for by name, it must run; by default it is skipped where its binaries are missing.
    const missing = /no PostgreSQL \d+\+ server binaries/.test((error as Error).message);
    if (databasesSetting || !missing) throw error;
    console.error('PostgreSQL skipped: no server binaries (tools/setup.sh installs them)');
    return undefined;
  }
}

try {
  postgres = await startPostgres();
  if (process.env['BENCH_KAFKA'] !== '0') {
    kafka = await startKafkaBroker(pinning ? { cpu: loadCpu } : {});
    settings.kafkaBrokers = kafka.bootstrap;
  }
  const targets: StackDatabases[] = [];
  if (requestedDatabases.includes('pglite')) targets.push(pgliteDatabases);
  if (postgres) targets.push(postgresDatabases(postgres));
  console.error(
    `node ${process.version}, ${durationS} s per run, ${rounds} rounds, concurrency ${concurrency}, ` +
      `databases: ${targets.map((target) => target.kind).join(', ')}, kafka: ${kafka ? 'yes' : 'no'}, ` +
      `pinned: ${pinning ? `order-service/floor CPU ${orderCpu}, the rest CPU ${loadCpu}` : 'no'}`,
  );
  const capacity: Row[] = [];
  const latency: Row[] = [];
  let profile: CpuProfile | undefined;
  for (const databases of targets) {
    const data = await prepareBenchData(settings, watchedOrders, await databases.prepare());
    const target = { databases, data };
    const rows = await benchDatabase(target);
    capacity.push(...rows.capacity);
    latency.push(...rows.streams);
    if (profileDir && databases.kind === 'postgres')
      profile = await profileCapacity(target, profiledMethod, profileDir);
  }
  printTables(capacity, latency);
  if (profile) {
    const summary = join(import.meta.dirname, '..', 'shared', 'cpu-profile-summary.js');
    console.log(
      `\nCPU profile of the order service under ${profiledMethod} load on PostgreSQL: ${profile.file}; its ` +
        `measured run alone: node ${summary} ${profile.file} --window ${profile.windowMs.join(',')}`,
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
  const resultsFile = join(import.meta.dirname, '..', 'order-service.json');
  await writeFile(
    resultsFile,
    `${JSON.stringify(
      {
        node: process.version,
        date: new Date().toISOString(),
        settings: {
          durationS,
          rounds,
          concurrency,
          warmupCalls,
          streams,
          watchChannels,
          watchedOrders,
          kafka: Boolean(kafka),
        },
        pinned: pinning,
        capacity,
        streams: latency,
        ...(profile && { cpuProfile: profile }),
        problems: Object.fromEntries([...problems].map(([key, { count }]) => [key, count])),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`Results: ${resultsFile}`);
} finally {
  await removeTempDir();
  sink.server.close();
  await stopPostgres();
  await kafka?.stop();
}
