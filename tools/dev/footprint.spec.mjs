// The dev stack's memory budgets (README, "The dev stack's footprint"): the apps started from
// their builds as `npm run dev` configures them (stack.mjs, on the stack's own PostgreSQL made by
// postgres.mjs), a short load through them (load.mjs), then each app's resident memory against
// its budget and the PostgreSQL server's against its own. A resource budget, not a timing: the
// load is a number of rounds, however long a busy machine takes for them. Kafka is the suite's
// broker (TEST_KAFKA_BROKERS, which `npm test` starts), the stack's topics under a namespace of
// their own; without it, a broker started here as dev starts its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { metricSum } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/free-port.mjs';
import { kafkaPaths, startKafka, stopKafka } from './kafka.mjs';
import { runLoad } from './load.mjs';
import { postgresPaths, startPostgres, stopPostgres } from './postgres.mjs';
import { startApp, stopApp } from './processes.mjs';
import { localSecrets } from './secrets.mjs';
import { appEnvironment, devApps, postgresBudgetMb } from './stack.mjs';

const root = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'dev-footprint-'));
const postgres = postgresPaths(dataDir);
const kafka = kafkaPaths(dataDir);
const rounds = 1_500;
/** Over which the apps' full collections are counted after the load: a rate, not a deadline. */
const gcWindowMs = 5_000;

/** The sum of `metric`'s samples with `labels`, from an app's /metrics. */
async function appMetric(metricsPort, metric, labels) {
  return metricSum(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(), metric, labels);
}

/** A /proc/<pid>/status or smaps_rollup field, in MiB. */
function procMb(pid, file, field) {
  const line = readFileSync(`/proc/${pid}/${file}`, 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith(`${field}:`));
  return Number(/(\d+) kB/.exec(line ?? '')?.[1] ?? Number.NaN) / 1024;
}

/**
 * The PostgreSQL server's memory: the proportional set size (PSS) of the postmaster and its
 * children, each shared page counted once; their RSS would count the shared buffers in each.
 */
function serverPssMb(postmaster) {
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // The parent pid is the second field after the command, which may contain spaces.
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1] === String(postmaster);
      } catch {
        return false; // gone meanwhile
      }
    });
  return [String(postmaster), ...children].reduce((sum, pid) => {
    try {
      return sum + procMb(pid, 'smaps_rollup', 'Pss');
    } catch {
      return sum;
    }
  }, 0);
}

/**
 * Ports of its own for an app (dev's are fixed and may be in use): the hand-written apps' port
 * variables, and for a service the generator added, those of its variable prefix (the one of its
 * data directory variable, `LOYALTY_POINTS_DATA_DIR` -> `LOYALTY_POINTS_GRPC_PORT`).
 */
async function ownPorts(app) {
  if (app.name === 'fulfillment-worker')
    return { WORKER_METRICS_PORT: '0', WORKER_METRICS_HOST: '127.0.0.1' };
  const prefix =
    { 'user-service': 'USER', 'order-service': 'ORDER' }[app.name] ??
    app.dataDirVariable?.replace(/_DATA_DIR$/, '');
  if (!prefix)
    throw new Error(`${app.name}: no port variables known for it; give it a dataDirVariable in stack.mjs`);
  return { [`${prefix}_GRPC_PORT`]: String(await freePort()), [`${prefix}_METRICS_PORT`]: '0' };
}

describe('the dev stack after a short load', () => {
  const apps = [];
  const ready = {};
  let database;
  let ownBroker = false;

  beforeAll(async () => {
    database = await startPostgres(
      postgres,
      devApps.filter((app) => app.database).map((app) => app.database),
    );
    let broker = process.env['TEST_KAFKA_BROKERS'];
    if (!broker) {
      ownBroker = true;
      broker = (await startKafka(kafka)).bootstrap;
    }
    const secrets = localSecrets(dataDir);
    const namespace = `footprint${randomBytes(4).toString('hex')}.`;
    for (const devApp of devApps) {
      const { name } = devApp;
      const env = appEnvironment(name, { broker, dataDir, databaseUrls: database.urls, secrets, ready });
      const app = startApp(
        root,
        name,
        { ...env, ...(await ownPorts(devApp)), KAFKA_NAMESPACE: namespace },
        join(dataDir, 'logs'),
      );
      apps.push(app);
      ready[name] = await app.ready;
    }
    const calls = await runLoad({
      userService: ready['user-service'].address,
      orderService: ready['order-service'].address,
      rounds,
      concurrency: 8,
    });
    expect(calls.createOrder).toBe(rounds);
  });

  afterAll(async () => {
    for (const app of apps.reverse()) await stopApp(app);
    if (ownBroker) await stopKafka(kafka, { keep: false });
    await stopPostgres(postgres, { keep: false });
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const { name, budgetMb } of devApps) {
    it(`${name} resides in at most ${budgetMb} MiB`, () => {
      const app = apps.find((candidate) => candidate.name === name);
      const rss = procMb(app.child.pid, 'status', 'VmRSS');
      const peak = procMb(app.child.pid, 'status', 'VmHWM');
      console.log(
        `footprint: ${name} ${rss.toFixed(0)} MiB resident (peak ${peak.toFixed(0)} MiB) after ${rounds} rounds`,
      );
      expect(
        rss,
        `${name}: ${rss.toFixed(0)} MiB resident (peak ${peak.toFixed(0)} MiB)`,
      ).toBeLessThanOrEqual(budgetMb);
    });
  }

  // A heap limit too close to the live heap makes V8 collect all the time: with a backlog the
  // worker's heap held 35 MB, and its 64 MB limit made 25 full collections a second (a core)
  // until the backlog was done. The limits keep twice the old space in use after the load.
  it('each app has room to grow its heap after the load, and does not collect over and over', async () => {
    const majorCollections = (name) =>
      appMetric(ready[name].metricsPort, 'nodejs_gc_duration_seconds_count', { kind: 'major' });
    const before = await Promise.all(devApps.map(({ name }) => majorCollections(name)));
    await sleep(gcWindowMs);
    for (const [index, { name, heapMb }] of devApps.entries()) {
      const collections = (await majorCollections(name)) - before[index];
      const oldMb =
        (await appMetric(ready[name].metricsPort, 'nodejs_heap_space_size_used_bytes', { space: 'old' })) /
        2 ** 20;
      console.log(
        `footprint: ${name} ${oldMb.toFixed(0)} MiB of old space in use (limit ${heapMb}), ${collections} full collections in ${gcWindowMs / 1000} s`,
      );
      expect(collections, `${name}: full collections in ${gcWindowMs / 1000} s`).toBeLessThanOrEqual(5);
      expect(2 * oldMb, `${name}: twice its old space in use, against its heap limit`).toBeLessThanOrEqual(
        heapMb,
      );
    }
  });

  it(`the PostgreSQL server takes at most ${postgresBudgetMb} MiB`, () => {
    const pss = serverPssMb(database.pid);
    console.log(`footprint: PostgreSQL ${pss.toFixed(0)} MiB (PSS of the server's processes)`);
    expect(pss, `PostgreSQL: ${pss.toFixed(0)} MiB (PSS of the server's processes)`).toBeLessThanOrEqual(
      postgresBudgetMb,
    );
  });
});
