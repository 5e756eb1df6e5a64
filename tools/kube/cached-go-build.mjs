// Builds a Go program once into a cache directory, for the launchers that need one (kube-apiserver
// for tools/kube, helm for tools/helm). The program's module is a small wrapper module committed
// beside its launcher (go.mod and go.sum pin every dependency; `go install pkg@version` refuses
// k8s.io/kubernetes because of its replace directives). The binary lands in
// <cacheDir>/<name>, with a marker holding the wrapper's go.mod and go.sum: a changed pin builds
// again, anything else reuses it. Concurrent callers (the test run's early background build and
// the suite that needs the binary) share one build: the first takes a lock directory, the others
// wait for it and report its progress.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** ~/.cache/<name> unless XDG_CACHE_HOME moves it. */
export function cacheHome(name) {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), name);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const progressEveryMs = 20_000;
// A lock older than this with a dead owner is stale (the owner was killed).
const lockPollMs = 1_000;

/** Whether a process with this pid exists (also one of another user). */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The go binary, or an error naming what to install. */
function goBinary(label, log) {
  const result = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `${label}: Go not found (go: ${result.error?.code ?? `exit ${result.status}`}); it builds ` +
        'the program once from the Go module proxy: install Go 1.26+ (https://go.dev/dl, or the ' +
        'golang package of your distribution when it is that recent)',
    );
  }
  log(`${result.stdout.trim()}`);
  return 'go';
}

/**
 * The path of the built program, building it when the cache lacks it or holds another pin.
 * `moduleDir` holds go.mod, go.sum and a file importing `pkg`; `ldflags` are the linker's flags
 * (part of the pin); `firstBuild` says how long a first build takes; `log` receives progress lines.
 */
export async function cachedGoBuild({
  label,
  moduleDir,
  pkg,
  cacheDir,
  binaryName,
  ldflags = '',
  firstBuild,
  log = console.error,
}) {
  const pin = [
    ...['go.mod', 'go.sum'].map((file) => readFileSync(join(moduleDir, file), 'utf8')),
    ldflags,
  ].join('\n');
  const binary = join(cacheDir, binaryName);
  const marker = join(cacheDir, `${binaryName}.pin`);
  const built = () => existsSync(binary) && existsSync(marker) && readFileSync(marker, 'utf8') === pin;
  if (built()) return binary;

  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, `${binaryName}.lock`);
  const waitStarted = Date.now();
  let lastReport = 0;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const owner = Number(existsSync(join(lock, 'pid')) ? readFileSync(join(lock, 'pid'), 'utf8') : NaN);
    if (Number.isInteger(owner) && !isAlive(owner)) {
      log(`${label}: removing the lock of a build that died (pid ${owner})`);
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - lastReport > progressEveryMs) {
      lastReport = Date.now();
      const progress = existsSync(join(lock, 'progress')) ? readFileSync(join(lock, 'progress'), 'utf8') : '';
      log(
        `${label}: waiting for the build of pid ${owner} (${Math.round((Date.now() - waitStarted) / 1000)} s)` +
          (progress ? `: ${progress}` : ''),
      );
    }
    await sleep(lockPollMs);
    if (!existsSync(lock)) {
      if (built()) return binary;
      // The other build failed: try it here, so its error is reported to this caller too.
    }
  }
  try {
    if (built()) return binary;
    await build({ label, moduleDir, pkg, binary, ldflags, lock, firstBuild, log });
    writeFileSync(marker, pin);
    return binary;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function build({ label, moduleDir, pkg, binary, ldflags, lock, firstBuild, log }) {
  const go = goBinary(label, log);
  const env = { ...process.env, GOFLAGS: [process.env.GOFLAGS, '-mod=readonly'].filter(Boolean).join(' ') };
  // The package count makes the progress readable as "n of m"; compiled packages come from the
  // Go build cache on later builds, so a rebuild after a pin change is quicker.
  const listed = spawnSync(go, ['list', '-deps', pkg], {
    cwd: moduleDir,
    env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (listed.status !== 0) {
    throw new Error(
      `${label}: go list ${pkg} failed (modules from the Go module proxy):\n${listed.stderr.trim()}`,
    );
  }
  const total = listed.stdout.trim().split('\n').length;
  log(`${label}: building ${pkg} (${total} packages${firstBuild ? `; ${firstBuild}` : ''}; cached after)`);
  const started = Date.now();
  const staging = `${binary}.tmp-${process.pid}`;
  let compiled = 0;
  let lastPackage = '';
  let output = '';
  const child = spawn(go, ['build', '-v', '-trimpath', `-ldflags=${ldflags}`, '-o', staging, pkg], {
    cwd: moduleDir,
    env,
  });
  const onOutput = (chunk) => {
    const text = chunk.toString();
    output = (output + text).slice(-20_000);
    for (const line of text.split('\n')) {
      if (/^[\w.-]+(\/[\w.~-]+)*$/.test(line.trim()) && line.trim()) {
        compiled += 1;
        lastPackage = line.trim();
      }
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const timer = setInterval(() => {
    const progress = `${compiled} of ~${total} packages compiled, ${Math.round((Date.now() - started) / 1000)} s (${lastPackage})`;
    writeFileSync(join(lock, 'progress'), progress);
    log(`${label}: ${progress}`);
  }, progressEveryMs);
  const code = await new Promise((resolve) => child.on('close', (status) => resolve(status ?? 1)));
  clearInterval(timer);
  if (code !== 0) {
    rmSync(staging, { force: true });
    throw new Error(
      `${label}: go build ${pkg} failed (exit ${code}):\n${output.trim().split('\n').slice(-30).join('\n')}`,
    );
  }
  renameSync(staging, binary);
  const megabytes = (statSync(binary).size / 1024 / 1024).toFixed(0);
  log(`${label}: built ${binary} (${megabytes} MB) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
