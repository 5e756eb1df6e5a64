#!/usr/bin/env node
// `npm run dev`: the whole event-driven platform on its embedded default, no Docker: the local
// Kafka broker (tools/kafka/kafka.mjs; Java 17+, Maven once for the jars), then user-service and
// order-service on PGlite in .data/ (outbox relay and consumers on that broker), then the
// fulfillment worker, with the keys, the admin and the service credentials created at first run.
// Ctrl-C (SIGINT/SIGTERM/SIGHUP) stops them in order: worker, order-service, user-service, Kafka
// (`stop --keep`: the next run resumes the same broker, topics and offsets).
//   npm run dev            keep data between runs
//   npm run dev -- --reset delete .data/ (the broker's data included) first
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  checkKafka,
  interruptLauncher,
  kafkaPaths,
  kafkaPid,
  readKafkaState,
  startKafka,
  stopKafka,
} from './kafka.mjs';
import { acquireLock, releaseLock } from './lock.mjs';
import { hasExited, startApp, stopApp } from './processes.mjs';
import { localSecrets, serviceClients } from './secrets.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const dataDir = join(root, '.data');
const kafka = kafkaPaths(dataDir);
const reset = process.argv.includes('--reset');
const apps = ['user-service', 'order-service', 'fulfillment-worker'];

const running = [];
let build;
let kafkaStarting = false;
let kafkaAttempted = false;
let stopping = false;

/** Stops what was started, in reverse order (the apps, then Kafka keeping its data), and exits. */
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  build?.kill('SIGTERM');
  if (kafkaStarting) console.log('dev: interrupting the Kafka start …');
  interruptLauncher();
  for (const app of [...running].reverse()) {
    if (hasExited(app)) continue;
    console.log(`dev: stopping ${app.name} …`);
    const started = Date.now();
    const outcome = await stopApp(app);
    console.log(`dev: ${app.name} ${outcome} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  while (kafkaStarting) await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  const state = kafkaAttempted ? readKafkaState(kafka) : undefined;
  if (state && !state.stopped) {
    console.log('dev: stopping Kafka (its data is kept) …');
    try {
      await stopKafka(kafka, { keep: true });
    } catch (error) {
      console.error(`dev: ${error.message}`);
      code ||= 1;
    }
  }
  releaseLock(dataDir);
  process.exit(code);
}

function fail(message) {
  if (stopping) return;
  console.error(`dev: ${message}`);
  return stopAll(1);
}

/** `nx run-many -t build` of the apps; resolves with its exit code. */
function buildApps() {
  console.log('dev: building the apps …');
  build = spawn(join(root, 'node_modules', '.bin', 'nx'), ['run-many', '-t', 'build', '-p', apps.join(',')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  return new Promise((resolveBuild) => {
    build.once('error', () => resolveBuild(1));
    build.once('close', (code, signal) => resolveBuild(code ?? signal));
  }).finally(() => (build = undefined));
}

/** Rows of cells as aligned columns. */
function printTable(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column] ?? '').length)));
  for (const row of rows) {
    console.log(
      `  ${row.map((cell, column) => String(cell ?? '').padEnd(widths[column])).join('  ')}`.trimEnd(),
    );
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  // `on`, not `once`: npm forwards the terminal's signal, so it can come twice.
  process.on(signal, () => {
    if (!stopping) console.log(`dev: ${signal}, stopping …`);
    void stopAll(0);
  });
}

// npm runs dev through `sh -c`: a signal sent to npm alone ends that shell, not dev. A new
// parent means whoever started dev is gone: stop as on Ctrl-C rather than run on unseen.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid === parent || stopping) return;
  console.log('dev: the parent process (npm) went away, stopping …');
  void stopAll(0);
}, 1_000).unref();

async function main() {
  const other = acquireLock(dataDir);
  if (other) return fail(`another \`npm run dev\` is running (pid ${other}); stop it first`);
  if (reset) {
    await stopKafka(kafka, { keep: false });
    rmSync(dataDir, { recursive: true, force: true });
    console.log('dev: deleted .data/ (the Kafka broker and its data included)');
    acquireLock(dataDir);
  }

  // Before the build: without Java (or Maven for the first fetch) nothing is started.
  try {
    await checkKafka(kafka);
  } catch {
    return fail('Kafka cannot run here (the message above says why); nothing was started');
  }
  if (stopping) return;

  const built = await buildApps();
  if (stopping) return;
  if (built !== 0) return fail('the build failed (see above)');

  const secrets = localSecrets(dataDir);

  kafkaStarting = true;
  kafkaAttempted = true;
  let broker;
  try {
    broker = await startKafka(kafka);
  } finally {
    kafkaStarting = false;
  }
  if (stopping) return;

  const start = async (name, env) => {
    if (stopping) throw new Error('stopping');
    console.log(`dev: starting ${name} …`);
    const app = startApp(root, name, { KAFKA_BROKERS: broker.bootstrap, ...env });
    running.push(app);
    const ready = await app.ready;
    app.child.once('exit', (code, signal) => void fail(`${name} exited unexpectedly (${signal ?? code})`));
    return ready;
  };
  const userReady = await start('user-service', {
    BOOTSTRAP_ADMIN_EMAIL: secrets.adminEmail,
    BOOTSTRAP_ADMIN_PASSWORD: secrets.adminPassword,
    AUTH_SERVICE_CLIENTS: serviceClients(secrets),
  });
  const orderReady = await start('order-service', {
    USER_SERVICE_ADDRESS: userReady.address,
    AUTH_CLIENT_SECRET: secrets.orderServiceSecret,
  });
  const workerReady = await start('fulfillment-worker', {
    ORDER_SERVICE_ADDRESS: orderReady.address,
    USER_SERVICE_ADDRESS: userReady.address,
    AUTH_CLIENT_SECRET: secrets.fulfillmentWorkerSecret,
  });
  if (stopping) return;

  const metrics = (ready) => `http://127.0.0.1:${ready.metricsPort}/metrics`;
  const [users, orders, worker] = running;
  printTable([
    ['', 'address', 'metrics', 'pid', 'data'],
    ['kafka', broker.bootstrap, '', kafkaPid(kafka), relative(root, broker.dataDir)],
    ['user-service', userReady.address, metrics(userReady), users.child.pid],
    ['order-service', orderReady.address, metrics(orderReady), orders.child.pid],
    ['fulfillment-worker', '', metrics(workerReady), worker.child.pid],
  ]);
  console.log(`dev: data in ${dataDir} (admin ${secrets.adminEmail}, password in .data/dev/secrets.json)`);
  console.log('dev: ready. Ctrl-C stops everything.');
  const brokerPid = kafkaPid(kafka);
  setInterval(() => {
    if (stopping || brokerPid === undefined) return;
    try {
      process.kill(brokerPid, 0);
    } catch {
      void fail(
        `Kafka (pid ${brokerPid}) exited unexpectedly; its log is ${join(broker.dataDir, 'server.log')}`,
      );
    }
  }, 2_000).unref();
}

try {
  await main();
} catch (error) {
  const taken = /EADDRINUSE/.test(error.message)
    ? ' (a port is taken by another process: `ss -ltnp` shows which)'
    : '';
  await fail(`${error.message}${taken}`);
}
