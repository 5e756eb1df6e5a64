import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  countGate,
  formatCoverageTable,
  gate,
  readCoverage,
  writeCoverageReport,
} from './coverage-report.mjs';

const range = (line, from, to) => ({ start: { line, column: from }, end: { line, column: to } });

/** An istanbul file coverage of a two-line file: one function, one if/else on line 2. */
function fileCoverage(path, { statements, fn, branch }) {
  return {
    path,
    statementMap: { 0: range(1, 0, 10), 1: range(2, 2, 12) },
    s: { 0: statements[0], 1: statements[1] },
    fnMap: { 0: { name: 'f', decl: range(1, 0, 5), loc: range(1, 0, 20) } },
    f: { 0: fn },
    branchMap: { 0: { type: 'if', loc: range(2, 2, 12), locations: [range(2, 2, 6), range(2, 7, 12)] } },
    b: { 0: branch },
  };
}

/** A workspace with one project (`lib-a`) and the coverage of two runs that both load its file. */
function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'coverage-'));
  mkdirSync(join(root, 'libs', 'a', 'src'), { recursive: true });
  writeFileSync(join(root, 'libs', 'a', 'project.json'), JSON.stringify({ name: 'lib-a' }));
  const source = join(root, 'libs', 'a', 'src', 'a.ts');
  const coverageDir = join(root, 'dist', 'coverage');
  const run = (name, coverage) => {
    mkdirSync(join(coverageDir, name), { recursive: true });
    writeFileSync(join(coverageDir, name, 'coverage-final.json'), JSON.stringify({ [source]: coverage }));
  };
  return { coverageDir, source, run };
}

describe('readCoverage', () => {
  it('merges the runs of a file and credits it to the project that holds it', () => {
    const { coverageDir, source, run } = workspace();
    // The lib's own run takes the if; an app's run takes the else: together both branches ran.
    run('lib-a', fileCoverage(source, { statements: [1, 1], fn: 1, branch: [1, 0] }));
    run('app-b', fileCoverage(source, { statements: [1, 0], fn: 1, branch: [0, 1] }));
    expect(readCoverage(coverageDir)).toEqual([
      {
        project: 'lib-a',
        lines: { total: 2, covered: 2 },
        branches: { total: 2, covered: 2 },
        functions: { total: 1, covered: 1 },
        statements: { total: 2, covered: 2 },
      },
    ]);
  });

  it('takes a folder with only a summary (the Go module) as it reports', () => {
    const { coverageDir } = workspace();
    mkdirSync(join(coverageDir, 'go-client'), { recursive: true });
    const figure = (total, covered) => ({ total, covered, skipped: 0, pct: 0 });
    writeFileSync(
      join(coverageDir, 'go-client', 'coverage-summary.json'),
      JSON.stringify({
        total: {
          lines: figure(10, 9),
          branches: figure(0, 0),
          functions: figure(2, 2),
          statements: figure(8, 7),
        },
      }),
    );
    expect(readCoverage(coverageDir)).toEqual([
      {
        project: 'go-client',
        lines: { total: 10, covered: 9 },
        branches: { total: 0, covered: 0 },
        functions: { total: 2, covered: 2 },
        statements: { total: 8, covered: 7 },
      },
    ]);
  });
});

describe('gate', () => {
  const project = (name, lines, branches) => ({
    project: name,
    lines: { total: 100, covered: lines },
    branches: { total: 100, covered: branches },
    functions: { total: 1, covered: 1 },
    statements: { total: 100, covered: lines },
  });
  const policy = (name) =>
    name === 'excused'
      ? { lines: 50, branches: 40, reason: 'measured elsewhere' }
      : { lines: 80, branches: 70 };

  it('fails a project below either threshold, naming the figure', () => {
    const checked = gate(
      [project('good', 80, 70), project('bad', 79, 70), project('worse', 90, 69.5)],
      policy,
    );
    expect(checked.map(({ project: name, failures }) => [name, failures])).toEqual([
      ['good', []],
      ['bad', ['lines 79% < 80%']],
      ['worse', ['branches 69.5% < 70%']],
    ]);
    expect(countGate(checked)).toMatchObject({ passed: 1, failed: 2, failedTasks: ['bad', 'worse'] });
  });

  it('applies a project override, and the table marks it', () => {
    const checked = gate([project('excused', 55, 45)], policy);
    expect(checked[0].failures).toEqual([]);
    const table = formatCoverageTable(checked);
    expect(table).toMatch(/excused\s+55\.00%\s+45\.00%.*gate 50\/40/);
    expect(table.split('\n').at(-1)).toMatch(/^\s+workspace\s+55\.00%\s+45\.00%/);
  });

  it('shows a metric with nothing to count as n/a and writes the JSON and HTML reports', () => {
    const { coverageDir } = workspace();
    const checked = gate([{ ...project('go', 90, 0), branches: { total: 0, covered: 0 } }], policy);
    expect(checked[0].failures).toEqual([]);
    expect(formatCoverageTable(checked)).toMatch(/go\s+90\.00%\s+n\/a/);
    mkdirSync(coverageDir, { recursive: true });
    writeCoverageReport(coverageDir, checked);
    const summary = JSON.parse(readFileSync(join(coverageDir, 'summary.json'), 'utf8'));
    expect(summary.projects.go.lines.pct).toBe(90);
    expect(readFileSync(join(coverageDir, 'index.html'), 'utf8')).toContain('<a href="go/index.html">go</a>');
  });
});
