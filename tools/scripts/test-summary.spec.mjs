import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  countChecks,
  countVitestReport,
  failedTasksOf,
  formatSummary,
  readSuiteResults,
} from './test-summary.mjs';

describe('countVitestReport', () => {
  it('takes passed, failed and skipped counts from a vitest JSON report', () => {
    expect(
      countVitestReport({
        numPassedTests: 5,
        numFailedTests: 2,
        numPendingTests: 1,
        numTodoTests: 1,
        success: false,
      }),
    ).toEqual({ passed: 5, failed: 2, skipped: 2 });
  });

  it('counts a failed run without failed tests (a crashed file) as one failure', () => {
    expect(countVitestReport({ numPassedTests: 3, numFailedTests: 0, success: false })).toEqual({
      passed: 3,
      failed: 1,
      skipped: 0,
    });
  });
});

describe('readSuiteResults', () => {
  it('reads every report and counts an unreadable one as a failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'results-'));
    writeFileSync(
      join(dir, 'grpc.json'),
      JSON.stringify({ numPassedTests: 7, numFailedTests: 0, success: true }),
    );
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    const suites = readSuiteResults(dir);
    expect(suites.map(({ suite, passed, failed }) => ({ suite, passed, failed }))).toEqual([
      { suite: 'broken', passed: 0, failed: 1 },
      { suite: 'grpc', passed: 7, failed: 0 },
    ]);
  });

  it('returns no suites when nothing reported', () => {
    expect(readSuiteResults(join(tmpdir(), 'does-not-exist-results'))).toEqual([]);
  });
});

describe('formatSummary', () => {
  it('ends with the sum over every suite, checks included', () => {
    const checks = countChecks(['proto:lint', 'proto:build', 'protos:breaking'], ['protos:breaking']);
    const summary = formatSummary([checks, { suite: 'proto', passed: 20, failed: 1, skipped: 0 }]);
    expect(summary.split('\n').at(-1)).toBe('22 passed, 2 failed');
    expect(summary).toContain('(protos:breaking)');
  });
});

describe('failedTasksOf', () => {
  // The closing summary as Nx 23 prints it, after a task that echoed an inner Nx run's own.
  const inner = [
    '> nx run plugin:test',
    ' NX   Running target test for 3 projects failed',
    '',
    'Failed tasks:',
    '',
    '- loyalty-points-service:test',
    '- proto:lint',
  ];

  it("reads the closing summary's failed tasks, not those an inner run echoed earlier", () => {
    const output = [
      ...inner,
      ' NX   Running target lint, test for 2 projects failed',
      '',
      'Failed tasks:',
      '',
      '- plugin:test',
      '',
      '  Run duration:      4.9s',
    ].join('\n');
    expect(failedTasksOf(output, ['plugin', 'proto'])).toEqual(['plugin:test']);
  });

  it('finds none when the run succeeded, whatever an inner run listed', () => {
    const output = [...inner, ' NX   Successfully ran targets lint, test for 2 projects'].join('\n');
    expect(failedTasksOf(output, ['plugin', 'proto'])).toEqual([]);
  });

  it("keeps only the workspace's projects", () => {
    const output = [
      ' NX   Running target test for 2 projects failed',
      'Failed tasks:',
      '- a:test',
      '- b:test',
    ];
    expect(failedTasksOf(output.join('\n'), ['b'])).toEqual(['b:test']);
  });
});
