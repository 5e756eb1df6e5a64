// One measurement of the client benchmark, in a process of its own (pinned by the runner):
// BENCH_CLIENT (raw | chain) calls GetOrder on BENCH_TARGET for BENCH_DURATION_S seconds,
// closed loop with BENCH_CONCURRENCY calls in flight, or open loop at BENCH_RATE calls/s, after
// a 2 s warm-up. Prints a line when the measured run starts and one JSON line at its end: calls,
// errors, req/s, its own CPU, latencies.
import { GetOrderRequest, type OrderServiceClient } from '@platform/proto';
import { orderClient } from './order-clients.js';

const kind = process.env['BENCH_CLIENT'] === 'chain' ? 'chain' : 'raw';
const client = await orderClient(kind, process.env['BENCH_TARGET'] ?? '');
const durationS = Number(process.env['BENCH_DURATION_S'] ?? 10);
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const rate = Number(process.env['BENCH_RATE'] ?? 0);
const request = GetOrderRequest.create({ orderId: '6f1c1a55-1d2e-4f6b-8a51-0c8f1d7c2b3a' });

function call(orders: OrderServiceClient): Promise<void> {
  return new Promise((resolve, reject) =>
    orders.getOrder(request, (error) => (error ? reject(error) : resolve())),
  );
}

interface Tally {
  latenciesMs: number[];
  errors: number;
}

async function timed(tally: Tally): Promise<void> {
  const started = performance.now();
  try {
    await call(client);
    tally.latenciesMs.push(performance.now() - started);
  } catch {
    tally.errors += 1;
  }
}

async function closedLoop(seconds: number, tally: Tally): Promise<void> {
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) await timed(tally);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

// Open loop: every millisecond, the calls due by now at `rate`, whatever is still in flight.
async function openLoop(seconds: number, tally: Tally): Promise<void> {
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let issued = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; issued < due; issued += 1) {
      const pending = timed(tally).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
}

const run = (seconds: number, tally: Tally) =>
  rate > 0 ? openLoop(seconds, tally) : closedLoop(seconds, tally);
await run(2, { latenciesMs: [], errors: 0 }); // warm-up: JIT, connection, token
const tally: Tally = { latenciesMs: [], errors: 0 };
process.stdout.write(`${JSON.stringify({ measuring: true })}\n`); // the runner samples the server's CPU
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
await run(durationS, tally);
const wallMs = performance.now() - wallBefore;
const cpu = process.cpuUsage(cpuBefore);
const sorted = tally.latenciesMs.sort((a, b) => a - b);
const percentile = (share: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? NaN;
const count = sorted.length + tally.errors;
process.stdout.write(
  `${JSON.stringify({
    done: true,
    count,
    errors: tally.errors,
    rps: (sorted.length * 1000) / wallMs,
    cpuUsPerCall: (cpu.user + cpu.system) / Math.max(1, count),
    clientCpuShare: (cpu.user + cpu.system) / 1000 / wallMs,
    wallMs,
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
  })}\n`,
);
client.close();
process.exit(0);
