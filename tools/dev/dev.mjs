#!/usr/bin/env node
// `npm run dev`: the whole event-driven platform on its embedded default, no Docker: the local
// Kafka broker (tools/kafka/kafka.mjs; Java 17+, Maven once for the jars), then user-service and
// order-service on PGlite in .data/ (outbox relay and consumers on that broker), then the
// fulfillment worker, with the keys, the admin and the service credentials created at first run.
// Each app's output is appended to .data/logs/<app>.log. Ctrl-C (SIGINT/SIGTERM/SIGHUP, to this
// process or to npm, whose script `exec`s it) stops them in order: worker, order-service,
// user-service, Kafka (`stop --keep`: the next run resumes the same broker, topics and offsets).
//   npm run dev            keep data between runs
//   npm run dev -- --reset delete .data/ (the broker's data included) first
import { readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildApps, failedOutput } from './build.mjs';
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
const logDir = join(dataDir, 'logs');
const reset = process.argv.includes('--reset');
const apps = ['user-service', 'order-service', 'fulfillment-worker'];

const running = [];
let buildChild;
let kafkaStarting = false;
let kafkaAttempted = false;
let stopping = false;

/** Stops what was started, in reverse order (the apps, then Kafka keeping its data), and exits. */
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  buildChild?.kill('SIGTERM');
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

/** Builds the apps, a line per Nx task; on failure shows the failed tasks' output. Resolves with the exit code. */
async function build() {
  const logFile = join(logDir, 'build.log');
  console.log(`dev: building the apps (Nx; its output in ${relative(root, logFile)}) …`);
  const started = Date.now();
  const run = buildApps({ root, projects: apps, logFile, say: (line) => console.log(`dev: build ${line}`) });
  buildChild = run.child;
  const { code, total, cached, failed } = await run.done;
  buildChild = undefined;
  const seconds = Math.round((Date.now() - started) / 1000);
  if (code === 0) {
    console.log(`dev: built ${total} tasks (${cached} from cache) in ${seconds} s`);
    return 0;
  }
  if (stopping) return code;
  for (const line of failedOutput(readFileSync(logFile, 'utf8'), failed)) console.error(line);
  console.error(`dev: failed: ${failed.join(', ') || `nx exited with ${code}`}`);
  return code;
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

// npm 11 forwards SIGINT and SIGTERM to its script's process and waits for it: the script
// `exec`s node, so that process is this one (through `sh -c` the shell got them: SIGTERM ended
// it and npm while dev ran on, SIGINT did nothing). A process manager or an IDE's stop button
// signalling npm thus stops the stack in order, and npm exits after it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  // `on`, not `once`: a terminal's Ctrl-C reaches npm and dev, and npm forwards it: it comes twice.
  process.on(signal, () => {
    if (!stopping) console.log(`dev: ${signal}, stopping …`);
    void stopAll(0);
  });
}

// A new parent means whoever started dev is gone (npm killed with SIGKILL, a shell that did not
// exec): stop as on Ctrl-C rather than run on unseen.
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

  const built = await build();
  if (stopping) return;
  if (built !== 0)
    return fail(`the build failed (see above; all of it in ${relative(root, join(logDir, 'build.log'))})`);

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
    const app = startApp(root, name, { KAFKA_BROKERS: broker.bootstrap, ...env }, logDir);
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
    // Orders stay PENDING a moment, as with real fulfilment: WatchOrder shows both states and the
    // demo can cancel one. Set FULFILLMENT_DURATION (0 to 15s) to change it.
    FULFILLMENT_DURATION: process.env['FULFILLMENT_DURATION'] ?? '3s',
  });
  if (stopping) return;

  const metrics = (ready) => `http://127.0.0.1:${ready.metricsPort}/metrics`;
  const [users, orders, worker] = running;
  const log = (app) => relative(root, app.logFile);
  printTable([
    ['', 'address', 'metrics', 'pid', 'log'],
    ['kafka', broker.bootstrap, '', kafkaPid(kafka), relative(root, join(broker.dataDir, 'server.log'))],
    ['user-service', userReady.address, metrics(userReady), users.child.pid, log(users)],
    ['order-service', orderReady.address, metrics(orderReady), orders.child.pid, log(orders)],
    ['fulfillment-worker', '', metrics(workerReady), worker.child.pid, log(worker)],
  ]);
  console.log(`dev: data in ${dataDir} (admin ${secrets.adminEmail}, password in .data/dev/secrets.json)`);
  console.log(
    `dev: each app's full log (JSON lines, appended across runs) is in ${relative(root, logDir)}/; ` +
      `e.g. grep <trace id> ${relative(root, logDir)}/*.log`,
  );
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
