// The Go module's coverage in the shape the workspace's gate reads (istanbul's json-summary,
// tools/scripts/coverage-report.mjs): from the profile `go test -coverprofile` writes, without
// the generated stubs (gen/, as libs/proto/src/gen for TypeScript in tools/coverage.config.mjs).
// Go's cover tool measures statements, not branches: branches are reported as 0 of 0 ("n/a").
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const generated = /\/gen\//;

/** The blocks of a `set` or `count` profile, each counted once (a block a run lists twice is merged). */
export function parseProfile(text) {
  const blocks = new Map();
  for (const line of text.split('\n').slice(1)) {
    const match = /^(.+):(\d+)\.\d+,(\d+)\.\d+ (\d+) (\d+)$/.exec(line.trim());
    if (!match || generated.test(match[1])) continue;
    const [key, file, start, end, statements, count] = match;
    const block = key.slice(0, key.lastIndexOf(' '));
    const previous = blocks.get(block);
    blocks.set(block, {
      file,
      start: Number(start),
      end: Number(end),
      statements: Number(statements),
      covered: Number(count) > 0 || Boolean(previous?.covered),
    });
  }
  return [...blocks.values()];
}

/** Statement and line counts of the blocks: a line is covered when a covered block spans it. */
export function summarizeBlocks(blocks) {
  const lines = new Map();
  for (const block of blocks) {
    for (let line = block.start; line <= block.end; line += 1) {
      const key = `${block.file}:${line}`;
      lines.set(key, Boolean(lines.get(key)) || block.covered);
    }
  }
  const covered = (values) => values.filter(Boolean).length;
  return {
    statements: {
      total: blocks.reduce((sum, block) => sum + block.statements, 0),
      covered: blocks.reduce((sum, block) => sum + (block.covered ? block.statements : 0), 0),
    },
    lines: { total: lines.size, covered: covered([...lines.values()]) },
  };
}

/** Functions of `go tool cover -func` output (outside gen/): covered when any statement ran. */
export function summarizeFunctions(funcOutput) {
  const functions = funcOutput
    .split('\n')
    .map((line) => /^(\S+):\d+:\s+\S+\s+([\d.]+)%$/.exec(line.trim()))
    .filter((match) => match && !generated.test(match[1]));
  return { total: functions.length, covered: functions.filter((match) => Number(match[2]) > 0).length };
}

/**
 * Writes coverage-summary.json and index.html (`go tool cover -html`) next to the profile, from
 * the profile plus what a built binary recorded in `binaryCoverDir` (GOCOVERDIR), with the
 * generated stubs left out.
 */
export function writeGoCoverage(projectRoot, outDir, binaryCoverDir) {
  const binaryProfile = join(outDir, 'binary.out');
  let binaryBlocks = [];
  // Empty when no test ran the binary (a `-run` filter): there is nothing to merge.
  if (readdirSync(binaryCoverDir).length > 0) {
    execFileSync('go', ['tool', 'covdata', 'textfmt', `-i=${binaryCoverDir}`, `-o=${binaryProfile}`], {
      cwd: projectRoot,
    });
    binaryBlocks = readFileSync(binaryProfile, 'utf8').split('\n').slice(1);
  }
  const text = `${readFileSync(join(outDir, 'coverage.out'), 'utf8').trimEnd()}\n${binaryBlocks.join('\n')}`;
  const [mode, ...rest] = text.split('\n');
  const filtered = join(outDir, 'coverage.filtered.out');
  writeFileSync(
    filtered,
    [mode, ...rest.filter((line) => line && !generated.test(line.split(':')[0]))].join('\n') + '\n',
  );
  const { statements, lines } = summarizeBlocks(parseProfile(text));
  const functions = summarizeFunctions(
    execFileSync('go', ['tool', 'cover', `-func=${filtered}`], { cwd: projectRoot, encoding: 'utf8' }),
  );
  execFileSync('go', ['tool', 'cover', `-html=${filtered}`, '-o', join(outDir, 'index.html')], {
    cwd: projectRoot,
  });
  const withPercent = ({ total, covered }) => ({
    total,
    covered,
    skipped: 0,
    pct: total === 0 ? 100 : Math.round((covered / total) * 10_000) / 100,
  });
  const total = {
    lines: withPercent(lines),
    statements: withPercent(statements),
    functions: withPercent(functions),
    branches: withPercent({ total: 0, covered: 0 }),
  };
  writeFileSync(join(outDir, 'coverage-summary.json'), `${JSON.stringify({ total }, null, 2)}\n`);
  return total;
}
