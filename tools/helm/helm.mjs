#!/usr/bin/env node
// Helm for the chart in deploy/kubernetes, built once from the Go module proxy into a cache (no
// downloaded release binary), the way tools/kafka caches Kafka's jars.
//
//   node tools/helm/helm.mjs build          # builds helm into the cache (prints its path)
//   node tools/helm/helm.mjs <helm args>    # runs helm, e.g. `lint --strict deploy/kubernetes/chart`
//
// helm: HELM_CACHE_DIR (default ~/.cache/platform-helm)/<version>/helm, built once with Go from
// the wrapper module in tools/helm/build (its go.mod pins the version). Helm's own state
// (repositories, plugins, registry logins) goes to a directory beside it, never ~/.config/helm.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { cacheHome, cachedGoBuild } from '../kube/cached-go-build.mjs';

const moduleDir = join(import.meta.dirname, 'build');
const version = /^require helm\.sh\/helm\/v4 (v\S+)/m.exec(
  readFileSync(join(moduleDir, 'go.mod'), 'utf8'),
)[1];
const cacheDir = join(process.env.HELM_CACHE_DIR ?? cacheHome('platform-helm'), version);

/** The helm binary from the cache, built when missing. */
export function buildHelm(log = (line) => console.error(`helm.mjs: ${line}`)) {
  return cachedGoBuild({
    label: `helm ${version}`,
    moduleDir,
    pkg: 'helm.sh/helm/v4/cmd/helm',
    cacheDir,
    binaryName: 'helm',
    // What a release build stamps: `helm version` names the pinned version.
    ldflags: `-X helm.sh/helm/v4/internal/version.version=${version}`,
    firstBuild: 'a few minutes on 2 cores the first time',
    log,
  });
}

/** The environment helm runs with: its state kept beside the binary, nothing from the user's. */
export function helmEnv() {
  const home = join(cacheDir, 'home');
  mkdirSync(home, { recursive: true });
  return {
    ...process.env,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

/** Runs helm with the arguments; resolves its exit code, stdout and stderr. */
export async function runHelm(args, options = {}) {
  const helm = await buildHelm();
  const result = spawnSync(helm, args, { env: helmEnv(), encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

const isMain = process.argv[1] && import.meta.filename === realpathSync(process.argv[1]);
if (isMain) {
  const args = process.argv.slice(2);
  try {
    if (args[0] === 'build') {
      console.log(await buildHelm());
    } else {
      const result = spawnSync(await buildHelm(), args, { env: helmEnv(), stdio: 'inherit' });
      process.exit(result.status ?? 1);
    }
  } catch (error) {
    console.error(`helm.mjs: ${error.message}`);
    process.exit(1);
  }
}
