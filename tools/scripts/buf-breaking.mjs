#!/usr/bin/env node
// Fails when protos/ breaks wire or source compatibility (buf breaking, FILE rules) against a
// baseline commit:
//   - BUF_BREAKING_AGAINST=<git ref> when set;
//   - else, on a branch that is not main's tip, the merge base with main (what a PR changes);
//   - else the parent commit (what the newest commit on main changed).
// When the baseline has no protos/ yet (the first commit that adds them) there is nothing to
// break and the check passes, saying so. `--print-baseline` prints the baseline commit only
// (Nx uses it as a cache input).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const git = (...args) => {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
};

function baselineCommit() {
  const explicit = process.env.BUF_BREAKING_AGAINST;
  if (explicit) {
    const commit = git('rev-parse', '--verify', `${explicit}^{commit}`);
    if (!commit) throw new Error(`BUF_BREAKING_AGAINST=${explicit} is not a commit in this repository`);
    return commit;
  }
  const head = git('rev-parse', 'HEAD');
  const main = git('rev-parse', '--verify', 'origin/main') ?? git('rev-parse', '--verify', 'main');
  if (head && main && head !== main) return git('merge-base', 'HEAD', main);
  return git('rev-parse', '--verify', 'HEAD~1^{commit}');
}

const baseline = baselineCommit();
if (process.argv.includes('--print-baseline')) {
  console.log(baseline ?? 'none');
  process.exit(0);
}
if (!baseline || git('cat-file', '-e', `${baseline}:protos/platform`) === undefined) {
  console.log(`buf breaking: no contracts at baseline ${baseline ?? '(no commit)'}; nothing to compare.`);
  process.exit(0);
}

// Build the baseline from a clean export of that commit, with this checkout's node_modules for
// the google.rpc module, then compare the working tree's module against that image.
const scratch = mkdtempSync(join(tmpdir(), 'buf-baseline-'));
try {
  const archive = execFileSync('git', ['archive', '--format=tar', baseline, 'protos', 'buf.yaml'], {
    cwd: root,
  });
  execFileSync('tar', ['-x', '-C', scratch], { input: archive });
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  const buf = join(root, 'node_modules', '.bin', 'buf');
  const image = join(scratch, 'baseline.binpb');
  execFileSync(buf, ['build', 'protos', '-o', image], { cwd: scratch, stdio: 'inherit' });
  const check = spawnSync(buf, ['breaking', 'protos', '--against', image], { cwd: root, stdio: 'inherit' });
  if (check.status !== 0) {
    console.error(`buf breaking: protos/ is not compatible with ${baseline.slice(0, 12)} (see above).`);
    process.exit(1);
  }
  console.log(`buf breaking: protos/ is compatible with ${baseline.slice(0, 12)}.`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
