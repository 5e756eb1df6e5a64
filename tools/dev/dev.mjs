#!/usr/bin/env node
// `npm run dev`: the whole event-driven platform on its embedded default, no Docker: a local
// PostgreSQL with a database per service (tools/scripts/postgres.mjs, from the server binaries
// ./tools/setup.sh installs; without them, or with --pglite, each service on embedded PGlite in
// .data/ instead), the local Kafka broker (tools/kafka/kafka.mjs; Java 17+, Maven once for the
// jars), then user-service and order-service (outbox relay and consumers on that broker), then
// the fulfillment worker, with the keys, the admin and the service credentials created at first
// run (stack.mjs: what runs and with which environment). Each app's output is appended to
// .data/logs/<app>.log. Ctrl-C (SIGINT/SIGTERM/SIGHUP, to this process or to npm, whose script
// `exec`s it) stops them in order: worker, order-service, user-service, Kafka and PostgreSQL
// (both keeping their data: the next run resumes the same broker, topics, offsets and databases).
//   npm run dev             keep data between runs
//   npm run dev -- --reset  delete .data/ (the broker's and the databases' data included) first
//   npm run dev -- --pglite the services on PGlite even where PostgreSQL is installed
//   npm run dev -- --no-observability  without the trace UI (Zipkin) and Prometheus
//   npm run dev -- --no-build  from the apps' builds as they are (after `nx run-many -t build`);
//                              the test suite starts it so, as its Nx graph built them and other
//                              suites run those builds meanwhile (a rebuild rewrites them)
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
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
import { postgresAvailable, postgresPaths, postgresPid, startPostgres, stopPostgres } from './postgres.mjs';
import {
  prepareObservability,
  startMetricsUi,
  startTraceUi,
  stopServer,
  tracingEnvironment,
} from './observability.mjs';
import { hasExited, startApp, stopApp } from './processes.mjs';
import { localSecrets } from './secrets.mjs';
import { appEnvironment, devApps } from './stack.mjs';

const root = resolve(import.meta.dirname, '..', '..');
// DEV_DATA_DIR: another stack's data (the observability spec runs one beside a developer's).
const dataDir = process.env.DEV_DATA_DIR ? resolve(process.env.DEV_DATA_DIR) : join(root, '.data');
const kafka = kafkaPaths(dataDir);
const postgres = postgresPaths(dataDir);
const logDir = join(dataDir, 'logs');
const reset = process.argv.includes('--reset');
const observability = !process.argv.includes('--no-observability');
const skipBuild = process.argv.includes('--no-build');
const apps = devApps.map((app) => app.name);

const running = [];
let buildChild;
let kafkaStarting = false;
let kafkaAttempted = false;
let postgresStarting;
let stopping = false;
// The trace UI and Prometheus, when started: stopped after the apps (their last spans go out at shutdown).
const observers = [];

/** Stops what was started, in reverse order (the apps, Kafka, PostgreSQL, keeping their data), and exits. */
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
  for (const server of observers.reverse()) {
    console.log(`dev: stopping ${server.name} …`);
    await stopServer(server);
  }
  while (kafkaStarting) await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  await postgresStarting?.catch(() => undefined);
  const state = kafkaAttempted ? readKafkaState(kafka) : undefined;
  const servers = [
    ['Kafka', state && !state.stopped, () => stopKafka(kafka, { keep: true })],
    [
      'PostgreSQL',
      postgresStarting && postgresPid(postgres) !== undefined,
      () => stopPostgres(postgres, { keep: true }),
    ],
  ];
  for (const [server, started, stop] of servers) {
    if (!started) continue;
    console.log(`dev: stopping ${server} (its data is kept) …`);
    try {
      await stop();
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
    await stopPostgres(postgres, { keep: false });
    rmSync(dataDir, { recursive: true, force: true });
    console.log('dev: deleted .data/ (the Kafka broker, PostgreSQL and their data included)');
    acquireLock(dataDir);
  }

  // Before the build: without Java (or Maven for the first fetch) nothing is started.
  try {
    await checkKafka(kafka);
  } catch {
    return fail('Kafka cannot run here (the message above says why); nothing was started');
  }
  if (stopping) return;
  const say = (line) => console.log(`dev: ${line}`);
  const prepared = observability ? await prepareObservability(say) : {};
  if (stopping) return;

  if (skipBuild) {
    const unbuilt = apps.filter((app) => !existsSync(join(root, 'apps', app, 'dist', 'main.js')));
    if (unbuilt.length > 0)
      return fail(`--no-build, but ${unbuilt.join(', ')} not built: run without --no-build`);
    mkdirSync(logDir, { recursive: true });
    console.log('dev: --no-build: the apps start from their builds as they are');
  } else {
    const built = await build();
    if (stopping) return;
    if (built !== 0)
      return fail(`the build failed (see above; all of it in ${relative(root, join(logDir, 'build.log'))})`);
  }

  const secrets = localSecrets(dataDir);

  // One PostgreSQL for the stack when its binaries are here: a few MB per service instead of the
  // hundreds an embedded PGlite takes in each (README, "The dev stack's footprint").
  // A .data/ of an earlier run on PGlite stays on it: its orders and users are there, and the kept
  // broker's events refer to them.
  const pgliteData = devApps.some(
    (app) => app.database && existsSync(join(dataDir, app.name, 'db', 'PG_VERSION')),
  );
  const pgliteReason = process.argv.includes('--pglite')
    ? '--pglite'
    : !postgresAvailable()
      ? 'no PostgreSQL server binaries here; ./tools/setup.sh installs them'
      : pgliteData && postgresPid(postgres) === undefined
        ? 'the data of an earlier run is on PGlite; `npm run dev -- --reset` deletes .data/ and starts over on PostgreSQL'
        : undefined;
  let database;
  if (pgliteReason) {
    console.log(
      `dev: databases: embedded PGlite in each service, in .data/<service>/db (${pgliteReason}); ` +
        'it takes several hundred MB of memory per service, a local PostgreSQL a few',
    );
  } else {
    console.log(
      `dev: databases: a local PostgreSQL, a database per service, in ${relative(root, postgres.dir)}/ …`,
    );
    postgresStarting = startPostgres(
      postgres,
      devApps.filter((app) => app.database).map((app) => app.database),
    );
    database = await postgresStarting;
  }
  if (stopping) return;

  kafkaStarting = true;
  kafkaAttempted = true;
  let broker;
  try {
    broker = await startKafka(kafka);
  } finally {
    kafkaStarting = false;
  }
  if (stopping) return;

  const traceUi = await startTraceUi(prepared, logDir, say);
  if (traceUi) observers.push({ name: 'Zipkin', ...traceUi });
  if (stopping) return;

  const ready = {};
  for (const { name } of devApps) {
    if (stopping) return;
    console.log(`dev: starting ${name} …`);
    const env = {
      ...appEnvironment(name, {
        broker: broker.bootstrap,
        dataDir,
        databaseUrls: database?.urls,
        secrets,
        ready,
      }),
      ...tracingEnvironment(traceUi),
    };
    const app = startApp(root, name, env, logDir);
    running.push(app);
    ready[name] = await app.ready;
    app.child.once('exit', (code, signal) => void fail(`${name} exited unexpectedly (${signal ?? code})`));
  }
  if (stopping) return;
  const metricsUi = await startMetricsUi(
    prepared,
    { dataDir, logDir, apps: running.map((app) => ({ name: app.name, ...ready[app.name] })), traceUi },
    say,
  );
  if (metricsUi) observers.push({ name: 'Prometheus', ...metricsUi });
  if (stopping) return;

  const metrics = (entry) => `http://127.0.0.1:${entry.metricsPort}/metrics`;
  const log = (app) => relative(root, app.logFile);
  const databaseRow = database
    ? [
        'postgres',
        new URL(Object.values(database.urls)[0]).host,
        '',
        database.pid,
        relative(root, database.logFile),
      ]
    : ['pglite', 'in each service', '', '', relative(root, join(dataDir, '<service>', 'db'))];
  printTable([
    ['', 'address', 'metrics', 'pid', 'log'],
    databaseRow,
    ['kafka', broker.bootstrap, '', kafkaPid(kafka), relative(root, join(broker.dataDir, 'server.log'))],
    ...running.map((app) => [
      app.name,
      ready[app.name].address ?? '',
      metrics(ready[app.name]),
      app.child.pid,
      log(app),
    ]),
    ...(traceUi
      ? [
          [
            'zipkin',
            `${traceUi.url}/zipkin/`,
            `${traceUi.url}/prometheus`,
            traceUi.child.pid,
            relative(root, join(logDir, 'zipkin.log')),
          ],
        ]
      : []),
    ...(metricsUi
      ? [
          [
            'prometheus',
            `${metricsUi.url}/graph`,
            `${metricsUi.url}/metrics`,
            metricsUi.child.pid,
            relative(root, join(logDir, 'prometheus.log')),
          ],
        ]
      : []),
  ]);
  if (database) {
    console.log(
      `dev: databases ${Object.entries(database.urls)
        .map(([name, url]) => `${name} ${url}`)
        .join(', ')} (psql <url>)`,
    );
  }
  console.log(`dev: data in ${dataDir} (admin ${secrets.adminEmail}, password in .data/dev/secrets.json)`);
  console.log(
    `dev: each app's full log (JSON lines, appended across runs) is in ${relative(root, logDir)}/; ` +
      `read them with \`npm run logs [app...] [--trace <id>] [--follow]\``,
  );
  if (traceUi)
    console.log(`dev: traces: ${traceUi.url}/zipkin/ (a trace: ${traceUi.url}/zipkin/traces/<trace id>)`);
  if (metricsUi) {
    console.log(
      `dev: metrics: ${metricsUi.url}/graph (recording rules platform:* for rate, errors, p50/p99 per method, consumer lag, outbox backlog)`,
    );
  }
  console.log('dev: ready. Ctrl-C stops everything.');
  const watched = [[`Kafka (pid ${kafkaPid(kafka)})`, kafkaPid(kafka), join(broker.dataDir, 'server.log')]];
  if (database) watched.push([`PostgreSQL (pid ${database.pid})`, database.pid, database.logFile]);
  setInterval(() => {
    for (const [what, pid, logFile] of watched) {
      if (stopping) return;
      if (pid === undefined) continue;
      try {
        process.kill(pid, 0);
      } catch {
        void fail(`${what} exited unexpectedly; its log is ${logFile}`);
      }
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
