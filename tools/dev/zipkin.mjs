// The dev stack's trace UI: Zipkin server (io.zipkin:zipkin-server, the `exec` jar from Maven
// Central, fetched once into ZIPKIN_CACHE_DIR, default ~/.cache/platform-zipkin/<version>/) on the
// Java the Kafka broker already needs, with in-memory storage: traces live as long as the run.
// Zipkin rather than Jaeger: Jaeger's Go module builds a binary whose UI is a placeholder (its UI
// assets are not in the module and their build is on no registry reachable here); Zipkin's jar
// carries its UI. The apps export to it with OTEL_TRACES_EXPORTER=zipkin (libs/observability).
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { portFree } from '../scripts/free-port.mjs';
import { httpReady } from './http-ready.mjs';

export const zipkinVersion = '3.5.1';
const dependencyPlugin = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const cacheRoot =
  process.env.ZIPKIN_CACHE_DIR ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'platform-zipkin');

/** The cached jar's path (it may not be fetched yet). */
export function zipkinJar() {
  return join(cacheRoot, zipkinVersion, `zipkin-server-${zipkinVersion}-exec.jar`);
}

/**
 * The Zipkin jar, fetched with Maven when missing: `say` gets a line every 5 s with the megabytes
 * fetched so far (Maven's local repository grows as it downloads). Throws with a plain reason
 * when Java 17+ or Maven is missing or the fetch fails.
 */
export async function fetchZipkin(say) {
  const java = spawnSync(process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java', [
    '-version',
  ]);
  if (java.error) throw new Error('Java 17+ is not installed (./tools/setup.sh installs it)');
  const jar = zipkinJar();
  if (existsSync(jar)) return jar;
  if (spawnSync('mvn', ['--version']).error) {
    throw new Error(
      `Maven is not installed; it fetches Zipkin ${zipkinVersion} once (./tools/setup.sh installs it)`,
    );
  }
  const dir = join(cacheRoot, zipkinVersion);
  const staging = join(dir, `fetch-${process.pid}`);
  mkdirSync(staging, { recursive: true });
  // Maven downloads into its local repository (temporary files, then the jar): its size is the progress.
  const repository = join(homedir(), '.m2/repository/io/zipkin/zipkin-server', zipkinVersion);
  const started = Date.now();
  say(`fetching Zipkin ${zipkinVersion} (about 130 MB) with Maven into ${dir} …`);
  const child = spawn(
    'mvn',
    [
      '-B',
      `${dependencyPlugin}:copy`,
      `-Dartifact=io.zipkin:zipkin-server:${zipkinVersion}:jar:exec`,
      `-DoutputDirectory=${staging}`,
    ],
    { cwd: staging, stdio: ['ignore', openSync(join(dir, 'mvn.log'), 'w'), 'ignore'] },
  );
  const timer = setInterval(() => {
    const files = existsSync(repository) ? readdirSync(repository) : [];
    const bytes = files.reduce((sum, file) => sum + statSync(join(repository, file)).size, 0);
    const seconds = Math.round((Date.now() - started) / 1000);
    say(`fetching Zipkin … ${(bytes / 1e6).toFixed(0)} MB, ${seconds} s`);
  }, 5_000);
  const code = await new Promise((resolveExit) => {
    child.once('error', () => resolveExit(1));
    child.once('close', (exitCode) => resolveExit(exitCode));
  }).finally(() => clearInterval(timer));
  const fetched = join(staging, `zipkin-server-${zipkinVersion}-exec.jar`);
  if (code !== 0 || !existsSync(fetched)) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `fetching Zipkin with Maven failed (exit ${code}; its output in ${join(dir, 'mvn.log')})`,
    );
  }
  renameSync(fetched, jar);
  rmSync(staging, { recursive: true, force: true });
  say(`fetched Zipkin in ${Math.round((Date.now() - started) / 1000)} s`);
  return jar;
}

/**
 * Starts Zipkin on 127.0.0.1:`port` (in a process group of its own, so a terminal's Ctrl-C
 * reaches dev only and the apps can flush their last spans into it), its output in `logFile`.
 * Resolves once /health answers UP, with the child and its base URL.
 */
export async function startZipkin({ jar, port, logFile }) {
  if (!(await portFree(port))) throw new Error(`port ${port} is taken (ZIPKIN_PORT sets another)`);
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  writeFileSync(logFile, '', { flag: 'a' });
  const child = spawn(
    java,
    [
      // A small heap for a small store: 20,000 spans, the oldest traces dropped first.
      '-Xms32m',
      '-Xmx128m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-jar',
      jar,
      `--armeria.ports[0].port=${port}`,
      '--armeria.ports[0].ip=127.0.0.1',
      '--armeria.ports[0].protocols=http',
    ],
    {
      env: { ...process.env, STORAGE_TYPE: 'mem', MEM_MAX_SPANS: '20000' },
      stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
      detached: true,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await httpReady({ child, url: `${url}/health`, what: 'Zipkin', logFile, intervalMs: 500 });
  return { child, url };
}
