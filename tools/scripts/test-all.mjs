#!/usr/bin/env node
// The workspace's test command (`npm test`): every check and test suite through Nx, then one
// summary whose last line is `N passed, N failed`. Exits non-zero when anything failed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  countGate,
  formatCoverageTable,
  gate,
  readCoverage,
  writeCoverageReport,
} from './coverage-report.mjs';
import { countChecks, failedTasksOf, formatSummary, readSuiteResults } from './test-summary.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const resultsDir = join(root, 'dist', 'test-results');
const coverageDir = join(root, 'dist', 'coverage');
const checkTargets = ['breaking', 'lint', 'typecheck', 'build'];
const targets = [...checkTargets, 'test'];
const nx = join(root, 'node_modules', '.bin', 'nx');
const env = {
  ...process.env,
  NX_DAEMON: process.env.NX_DAEMON ?? 'false',
  NX_NO_CLOUD: 'true',
  FORCE_COLOR: '0',
};

/** The workspace's projects, those with `target` when it is given. */
function projects(target) {
  const listed = spawnSync(nx, ['show', 'projects', ...(target ? ['--with-target', target] : []), '--json'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`nx show projects failed: ${listed.stderr}`);
  return JSON.parse(listed.stdout);
}

/** `project:target` for every project that has one of the check targets. */
function checkTasks() {
  return checkTargets.flatMap((target) => projects(target).map((project) => `${project}:${target}`));
}

/** Runs Nx, echoing its output, and returns its exit code and the tasks it reported failed. */
function runNx() {
  return new Promise((resolveRun) => {
    const child = spawn(nx, ['run-many', '-t', ...targets, '--output-style=static', '--nxBail=false'], {
      cwd: root,
      env,
    });
    let output = '';
    const echo = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    child.on('close', (code) =>
      resolveRun({ code: code ?? 1, failedTasks: failedTasksOf(output, workspaceProjects) }),
    );
  });
}

/**
 * A throwaway PostgreSQL for the PostgreSQL cases of libs/db, unless TEST_DATABASE_URL names
 * one already. Without server binaries the script fails, and so does this run: install them
 * with tools/setup.sh.
 */
function startPostgres() {
  if (env.TEST_DATABASE_URL) return () => undefined;
  const script = join(root, 'tools', 'scripts', 'postgres.mjs');
  const stateEnv = {
    ...env,
    POSTGRES_STATE_FILE: join(tmpdir(), `platform-postgres-test-${process.pid}.json`),
  };
  env.TEST_DATABASE_URL = execFileSync(process.execPath, [script, 'start'], {
    env: stateEnv,
    encoding: 'utf8',
  }).trim();
  console.log(`PostgreSQL for the tests: ${env.TEST_DATABASE_URL}`);
  return () => spawnSync(process.execPath, [script, 'stop'], { env: stateEnv, stdio: 'inherit' });
}

/**
 * A throwaway single-node Kafka (tools/kafka) for the event-layer suites, unless
 * TEST_KAFKA_BROKERS names one already. Without Java and Maven it fails, and so does this run:
 * install them with tools/setup.sh.
 */
function startKafka() {
  if (env.TEST_KAFKA_BROKERS) return () => undefined;
  const script = join(root, 'tools', 'kafka', 'kafka.mjs');
  const stateEnv = { ...env, KAFKA_STATE_FILE: join(tmpdir(), `platform-kafka-test-${process.pid}.json`) };
  env.TEST_KAFKA_BROKERS = execFileSync(process.execPath, [script, 'start'], {
    env: stateEnv,
    encoding: 'utf8',
  }).trim();
  console.log(`Kafka for the tests: ${env.TEST_KAFKA_BROKERS}`);
  return () => spawnSync(process.execPath, [script, 'stop'], { env: stateEnv, stdio: 'inherit' });
}

/**
 * Builds helm and kube-apiserver (tools/kube/build-tools.mjs; each once, then cached) in the
 * background from the start, at a lower CPU priority, so a fresh machine's ten-minute build
 * overlaps the other suites; the kubernetes suite waits for it. Its lines are prefixed
 * `[tool build]`. Returns a stop for an interrupted run.
 */
function startToolBuilds() {
  const child = spawn(process.execPath, [join(root, 'tools', 'kube', 'build-tools.mjs')], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    setPriority(child.pid, 10);
  } catch {
    // Not permitted here: it builds at normal priority.
  }
  return () => child.exitCode === null && child.kill('SIGTERM');
}

rmSync(resultsDir, { recursive: true, force: true });
rmSync(coverageDir, { recursive: true, force: true });
const stopToolBuilds = startToolBuilds();
const tasks = checkTasks();
const workspaceProjects = projects();
const stopPostgres = startPostgres();
let stopKafka;
try {
  stopKafka = startKafka();
} catch (error) {
  stopPostgres();
  throw error;
}
const stopAll = () => {
  stopToolBuilds();
  stopKafka();
  stopPostgres();
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopAll();
    process.exit(130);
  });
}
const { code, failedTasks } = await runNx().finally(stopAll);
const suites = [countChecks(tasks, failedTasks), ...readSuiteResults(resultsDir)];
const failedTestTasks = failedTasks.filter((task) => task.endsWith(':test'));
for (const task of failedTestTasks) {
  const suite = task.split(':')[0];
  if (!suites.some((candidate) => candidate.suite === suite)) {
    suites.push({ suite, passed: 0, failed: 1, skipped: 0, error: 'the suite failed before reporting' });
  }
}
// Coverage of the same run, gated per project (tools/coverage.config.mjs); its table goes just above
// the closing line, which stays last.
const coverage = gate(readCoverage(coverageDir));
suites.push(countGate(coverage));
if (coverage.length) writeCoverageReport(coverageDir, coverage);
console.log('\nTest summary');
const summary = formatSummary(suites);
const summaryLines = summary.split('\n');
const closingLine = summaryLines.pop();
console.log(summaryLines.join('\n'));
if (coverage.length) console.log(`\n${formatCoverageTable(coverage)}\n`);
console.log(closingLine);
const failed = Number(/(\d+) failed$/.exec(summary)?.[1] ?? 1);
process.exit(code !== 0 || failed > 0 ? 1 : 0);
