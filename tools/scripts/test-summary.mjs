// Sums what every suite of a run reported into one closing line, `N passed, N failed`:
//   - each test case of the vitest suites (JSON reports in dist/test-results/*.json);
//   - each check task (lint, typecheck, build, breaking), passed unless Nx reported it failed.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nxProgress } from '../dev/build.mjs';

/** Counts of one vitest JSON report. */
export function countVitestReport(report) {
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + (report.success === false && !report.numFailedTests ? 1 : 0),
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

/** Reads every JSON report in a folder; a report that cannot be parsed counts as one failure. */
export function readSuiteResults(resultsDir) {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const suite = file.replace(/\.json$/, '');
      try {
        return { suite, ...countVitestReport(JSON.parse(readFileSync(join(resultsDir, file), 'utf8'))) };
      } catch (error) {
        return { suite, passed: 0, failed: 1, skipped: 0, error: `unreadable report: ${error.message}` };
      }
    });
}

/** Counts check tasks (`project:target`), given all that ran and those Nx reported failed. */
export function countChecks(tasks, failedTasks) {
  const failed = tasks.filter((task) => failedTasks.includes(task));
  return {
    suite: 'checks (lint, typecheck, build, breaking)',
    passed: tasks.length - failed.length,
    failed: failed.length,
    skipped: 0,
    failedTasks: failed,
  };
}

/** Formats the per-suite lines and the closing line. */
export function formatSummary(suites) {
  const total = suites.reduce(
    (sum, suite) => ({
      passed: sum.passed + suite.passed,
      failed: sum.failed + suite.failed,
      skipped: sum.skipped + suite.skipped,
    }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  const lines = suites.map(
    (suite) =>
      `  ${suite.suite}: ${suite.passed} passed, ${suite.failed} failed` +
      (suite.skipped ? `, ${suite.skipped} skipped` : '') +
      (suite.failedTasks?.length ? ` (${suite.failedTasks.join(', ')})` : '') +
      (suite.error ? ` (${suite.error})` : ''),
  );
  return [...lines, `${total.passed} passed, ${total.failed} failed`].join('\n');
}

/**
 * The tasks Nx lists as failed in its closing summary (after the last ` NX ` heading of `output`,
 * read as the dev stack's build reads it), of this workspace's projects only. The output also
 * echoes inner Nx runs (the plugin's tests run Nx in a scratch workspace), whose summaries come
 * earlier and name their own projects.
 */
export function failedTasksOf(output, workspaceProjects) {
  const headings = [...output.matchAll(/^\s*NX\s{2,}/gm)];
  const progress = nxProgress();
  if (headings.length)
    for (const line of output.slice(headings.at(-1).index).split('\n')) progress.line(line);
  return progress.summary().failed.filter((task) => workspaceProjects.includes(task.split(':')[0]));
}
