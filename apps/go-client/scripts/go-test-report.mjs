#!/usr/bin/env node
// `nx run go-client:test`: runs `go test -json ./...` in apps/go-client, echoes the tests'
// output, and writes dist/test-results/go-client.json in the shape of the vitest JSON reporter
// (numPassedTests, numFailedTests, numPendingTests, success) that tools/scripts/test-all.mjs
// sums. Each leaf test (a test without subtests, or a subtest without subtests) counts once; a
// package that fails without a failing test (a build error, TestMain) counts as one failure.
// Coverage: -coverprofile into dist/coverage/go-client, summarized by go-coverage.mjs for the
// workspace's gate. Exits with go test's exit code.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { writeGoCoverage } from './go-coverage.mjs';

const projectRoot = resolve(import.meta.dirname, '..');
const report = join(projectRoot, '..', '..', 'dist', 'test-results', 'go-client.json');
const coverageDir = join(projectRoot, '..', '..', 'dist', 'coverage', 'go-client');

/** Leaf tests of the events: names with no other test below them. */
export function countLeaves(events) {
  const outcomes = new Map();
  const failedPackages = new Set();
  for (const event of events) {
    if (!['pass', 'fail', 'skip'].includes(event.Action)) continue;
    if (event.Test) outcomes.set(`${event.Package} ${event.Test}`, event.Action);
    else if (event.Action === 'fail') failedPackages.add(event.Package);
  }
  const keys = [...outcomes.keys()];
  const leaves = keys.filter((key) => !keys.some((other) => other.startsWith(`${key}/`)));
  const count = (action) => leaves.filter((key) => outcomes.get(key) === action).length;
  const packagesWithFailedTests = new Set(
    leaves.filter((key) => outcomes.get(key) === 'fail').map((key) => key.split(' ')[0]),
  );
  const packageFailures = [...failedPackages].filter((pkg) => !packagesWithFailedTests.has(pkg)).length;
  return { passed: count('pass'), failed: count('fail') + packageFailures, skipped: count('skip') };
}

const events = [];
rmSync(coverageDir, { recursive: true, force: true });
mkdirSync(coverageDir, { recursive: true });
const coverProfile = join(coverageDir, 'coverage.out');
// The CLI's own process writes its counters here (interop/cli_test.go); merged below.
const cliCoverDir = join(coverageDir, 'cli');
mkdirSync(cliCoverDir);
const goArgs = [
  'test',
  '-json',
  '-count=1',
  `-coverprofile=${coverProfile}`,
  '-coverpkg=./...',
  ...process.argv.slice(2),
  './...',
];
const child = spawn('go', goArgs, {
  cwd: projectRoot,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, PLATFORM_CLI_COVERDIR: cliCoverDir },
});
createInterface({ input: child.stdout }).on('line', (line) => {
  let event;
  try {
    event = JSON.parse(line);
  } catch {
    process.stdout.write(`${line}\n`);
    return;
  }
  events.push(event);
  if (event.Action === 'output' || event.Action === 'build-output') process.stdout.write(event.Output);
});
const code = await new Promise((resolveExit) => child.on('close', (exitCode) => resolveExit(exitCode ?? 1)));
const { passed, failed, skipped } = countLeaves(events);
const success = code === 0 && failed === 0;
mkdirSync(dirname(report), { recursive: true });
writeFileSync(
  report,
  `${JSON.stringify(
    {
      numTotalTests: passed + failed + skipped,
      numPassedTests: passed,
      numFailedTests: failed === 0 && !success ? 1 : failed,
      numPendingTests: skipped,
      numTodoTests: 0,
      success,
    },
    null,
    2,
  )}\n`,
);
console.log(`go-client: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (code === 0) {
  const coverage = writeGoCoverage(projectRoot, coverageDir, cliCoverDir);
  console.log(`go-client coverage: ${coverage.lines.pct}% lines, ${coverage.statements.pct}% statements`);
}
process.exit(success ? 0 : code || 1);
