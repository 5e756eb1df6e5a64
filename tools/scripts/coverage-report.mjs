// The coverage of a run and its gate: merges the vitest runs' dist/coverage/<run>/
// coverage-final.json per project (plus the Go module's coverage-summary.json, written by
// apps/go-client/scripts/go-test-report.mjs), adds the workspace totals, checks
// every project against tools/coverage.config.mjs, and writes dist/coverage/summary.json and
// dist/coverage/index.html. tools/scripts/test-all.mjs prints its table above the closing line.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectPolicy } from '../coverage.config.mjs';

const metrics = ['lines', 'branches', 'functions', 'statements'];

/** Percentage of a count, 100 when there is nothing to cover (as istanbul reports it). */
function percent({ total, covered }) {
  return total === 0 ? 100 : Math.round((covered / total) * 10_000) / 100;
}

/** Adds one run's istanbul file coverage into the merged map (counts keyed by source location). */
function mergeFile(merged, file) {
  const entry = merged.get(file.path) ?? { statements: new Map(), functions: new Map(), branches: new Map() };
  const loc = ({ start, end }) => `${start.line}:${start.column}-${end.line}:${end.column}`;
  const add = (map, key, count, line) => {
    const previous = map.get(key);
    map.set(key, { line, count: (previous?.count ?? 0) + count });
  };
  for (const [id, range] of Object.entries(file.statementMap))
    add(entry.statements, loc(range), file.s[id], range.start.line);
  for (const [id, fn] of Object.entries(file.fnMap))
    add(entry.functions, loc(fn.loc), file.f[id], fn.loc.start.line);
  for (const [id, branch] of Object.entries(file.branchMap)) {
    file.b[id].forEach((count, index) =>
      add(entry.branches, `${loc(branch.loc)}#${index}`, count, branch.loc.start.line),
    );
  }
  merged.set(file.path, entry);
}

/** Totals of merged files: a line counts once, covered when a statement starting on it ran. */
function totalsOf(files) {
  const count = (entries) => ({
    total: entries.length,
    covered: entries.filter((entry) => entry.count > 0).length,
  });
  const lines = new Map();
  for (const file of files) {
    for (const statement of file.statements.values()) {
      const key = `${file.path}:${statement.line}`;
      lines.set(key, { count: (lines.get(key)?.count ?? 0) + statement.count });
    }
  }
  return {
    lines: count([...lines.values()]),
    branches: count(files.flatMap((file) => [...file.branches.values()])),
    functions: count(files.flatMap((file) => [...file.functions.values()])),
    statements: count(files.flatMap((file) => [...file.statements.values()])),
  };
}

/** The name of the Nx project holding a file: the nearest folder above it with a project.json. */
function projectOf(path) {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const projectFile = join(dir, 'project.json');
    if (existsSync(projectFile)) return JSON.parse(readFileSync(projectFile, 'utf8')).name;
  }
  return undefined;
}

/**
 * Each project's totals over every run of dist/coverage: the vitest runs' coverage-final.json
 * merged (a file's counts summed over the runs that executed it) and credited to the project
 * holding the file; a folder with only a coverage-summary.json (the Go module) as it reports.
 */
export function readCoverage(coverageDir) {
  if (!existsSync(coverageDir)) return [];
  const merged = new Map();
  const reported = [];
  for (const entry of readdirSync(coverageDir, { withFileTypes: true }).filter((item) =>
    item.isDirectory(),
  )) {
    const final = join(coverageDir, entry.name, 'coverage-final.json');
    const summary = join(coverageDir, entry.name, 'coverage-summary.json');
    if (existsSync(final)) {
      for (const file of Object.values(JSON.parse(readFileSync(final, 'utf8')))) mergeFile(merged, file);
    } else if (existsSync(summary)) {
      const { total } = JSON.parse(readFileSync(summary, 'utf8'));
      reported.push({
        project: entry.name,
        ...Object.fromEntries(
          metrics.map((metric) => [metric, { total: total[metric].total, covered: total[metric].covered }]),
        ),
      });
    }
  }
  const byProject = new Map();
  for (const [path, file] of merged) {
    const project = projectOf(path);
    if (project) byProject.set(project, [...(byProject.get(project) ?? []), { path, ...file }]);
  }
  const projects = [...byProject].map(([project, files]) => ({ project, ...totalsOf(files) }));
  return [...projects, ...reported].sort((a, b) => a.project.localeCompare(b.project));
}

/** Checks each project against its policy; a failure names the figure and the threshold missed. */
export function gate(projects, policyOf = projectPolicy) {
  return projects.map((project) => {
    const policy = policyOf(project.project);
    const failures = ['lines', 'branches']
      .filter((metric) => percent(project[metric]) < policy[metric])
      .map((metric) => `${metric} ${percent(project[metric])}% < ${policy[metric]}%`);
    return { ...project, policy, failures };
  });
}

/** The sums over all projects (their sources do not overlap: each measures its own root). */
export function workspaceTotals(projects) {
  return Object.fromEntries(
    metrics.map((metric) => [
      metric,
      projects.reduce(
        (sum, project) => ({
          total: sum.total + project[metric].total,
          covered: sum.covered + project[metric].covered,
        }),
        { total: 0, covered: 0 },
      ),
    ]),
  );
}

/** The table printed above the summary's closing line. */
export function formatCoverageTable(checked) {
  // Nothing to count (Go's cover tool has no branch figure) shows as n/a, not as 100%.
  const cell = (count) => (count.total === 0 ? 'n/a' : `${percent(count).toFixed(2)}%`).padStart(9);
  const width = Math.max(9, ...checked.map((project) => project.project.length));
  const row = (name, figures, note = '') =>
    `  ${name.padEnd(width)} ${metrics.map((metric) => cell(figures[metric])).join(' ')}${note}`;
  const header = `  ${'coverage'.padEnd(width)} ${metrics.map((metric) => metric.padStart(9)).join(' ')}`;
  const rows = checked.map((project) => {
    const note = project.failures.length
      ? `  FAIL (${project.failures.join(', ')})`
      : project.policy.reason
        ? `  (gate ${project.policy.lines}/${project.policy.branches}: see tools/coverage.config.mjs)`
        : '';
    return row(project.project, project, note);
  });
  return [header, ...rows, row('workspace', workspaceTotals(checked))].join('\n');
}

/** The gate as one suite of the summary: a project passes or fails it. */
export function countGate(checked) {
  const failed = checked.filter((project) => project.failures.length);
  return {
    suite: 'coverage gate',
    passed: checked.length - failed.length,
    failed: failed.length,
    skipped: 0,
    failedTasks: failed.map((project) => project.project),
  };
}

/** Writes summary.json and a one-page index.html linking each project's own HTML report. */
export function writeCoverageReport(coverageDir, checked) {
  const totals = workspaceTotals(checked);
  const withPercent = (figures) =>
    Object.fromEntries(
      metrics.map((metric) => [metric, { ...figures[metric], pct: percent(figures[metric]) }]),
    );
  const summary = {
    workspace: withPercent(totals),
    projects: Object.fromEntries(
      checked.map((project) => [
        project.project,
        {
          ...withPercent(project),
          gate: {
            lines: project.policy.lines,
            branches: project.policy.branches,
            reason: project.policy.reason,
          },
          failures: project.failures,
        },
      ]),
    ),
  };
  writeFileSync(join(coverageDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const escape = (text) => String(text).replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
  const cells = (figures) =>
    metrics.map((metric) => `<td>${percent(figures[metric]).toFixed(2)}%</td>`).join('');
  const rows = checked
    .map(
      (project) =>
        `<tr><td><a href="${escape(project.project)}/index.html">${escape(project.project)}</a></td>${cells(project)}` +
        `<td>${project.failures.length ? `FAIL: ${escape(project.failures.join(', '))}` : 'pass'}</td></tr>`,
    )
    .join('\n');
  writeFileSync(
    join(coverageDir, 'index.html'),
    `<!doctype html>\n<meta charset="utf-8">\n<title>Coverage</title>\n<table>\n` +
      `<tr><th>project</th>${metrics.map((metric) => `<th>${metric}</th>`).join('')}<th>gate</th></tr>\n${rows}\n` +
      `<tr><th>workspace</th>${cells(totals)}<td></td></tr>\n</table>\n`,
  );
}
