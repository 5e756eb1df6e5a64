#!/usr/bin/env node
// A throwaway Kubernetes API server on 127.0.0.1 for validating manifests: kube-apiserver built
// from its Go modules (once, cached) on Debian's etcd. No kubelet, scheduler or controllers run:
// objects are validated, defaulted and admitted, and no pod ever starts.
//
//   node tools/kube/kube.mjs build                        # builds kube-apiserver into the cache (prints its path)
//   node tools/kube/kube.mjs start                        # prints the kubeconfig path
//   node tools/kube/kube.mjs status                       # prints the kubeconfig path when running, else exits 1
//   node tools/kube/kube.mjs apply [--dry-run] [-n NS] FILE...   # server-side apply ('-' reads stdin)
//   node tools/kube/kube.mjs stop                         # stops it and deletes its directory
//
// `start` makes a temp directory with a CA, a serving certificate for 127.0.0.1, an admin client
// certificate (group system:masters) and a service-account signing key, all generated at start
// with openssl (nothing is committed), starts etcd and kube-apiserver detached on free loopback
// ports and returns once /readyz answers (120 s at most). The pids, ports and files are kept in a
// state file (KUBE_STATE_FILE, default /tmp/platform-kube.json), so `stop` works from another
// shell; a server of the same state file that still answers is reused. The kubeconfig in that
// directory works for kubectl too.
//
// `apply` sends each object as a server-side apply with fieldValidation=Strict (and dryRun=All
// with --dry-run), printing kubectl's line per object; it exits 1 if any was refused, with the
// API server's reason. Namespaces and CRDs in the input are created for real first.
//
// kube-apiserver: KUBE_CACHE_DIR (default ~/.cache/platform-kube)/<version>/kube-apiserver, built
// once with Go from the wrapper module in tools/kube/apiserver (go.mod pins the version).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/free-port.mjs';
import { cacheHome, cachedGoBuild, isAlive } from './cached-go-build.mjs';
import { applyAll, kubeClient, parseManifests } from './kube-api.mjs';

const moduleDir = join(import.meta.dirname, 'apiserver');
const version = /^require k8s\.io\/kubernetes (v\S+)/m.exec(
  readFileSync(join(moduleDir, 'go.mod'), 'utf8'),
)[1];
const cacheDir = join(process.env.KUBE_CACHE_DIR ?? cacheHome('platform-kube'), version);
const stateFile = process.env.KUBE_STATE_FILE ?? join(tmpdir(), 'platform-kube.json');
const readyTimeoutMs = 120_000;
const stopTimeoutMs = 20_000;

function fail(message) {
  console.error(`kube.mjs: ${message}`);
  process.exit(1);
}

function info(message) {
  console.error(`kube.mjs: ${message}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** kube-apiserver from the cache, built when missing. */
export function buildApiServer(log = info) {
  return cachedGoBuild({
    label: `kube-apiserver ${version}`,
    moduleDir,
    pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
    cacheDir,
    binaryName: 'kube-apiserver',
    firstBuild: 'about 10 minutes on 2 cores the first time',
    log,
  });
}

function requireProgram(program, args, installHint) {
  const result = spawnSync(program, args, { encoding: 'utf8' });
  if (result.error)
    fail(`${program} not found (${result.error.code ?? result.error.message}); ${installHint}`);
  return `${result.stdout}${result.stderr}`.split('\n')[0].trim();
}

function openssl(dir, args) {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

/** CA, serving and admin client certificates and the service-account key, all made here and now. */
function makeCredentials(dir) {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=platform-kube-ca',
  ]);
  const sign = (name, subject, extensions) => {
    writeFileSync(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ]);
  };
  sign('serving', '/CN=kube-apiserver', [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'extendedKeyUsage=serverAuth',
    'keyUsage=critical,digitalSignature',
  ]);
  // system:masters: the admin group RBAC lets do everything (no role binding needed).
  sign('admin', '/O=system:masters/CN=platform-admin', [
    'extendedKeyUsage=clientAuth',
    'keyUsage=critical,digitalSignature',
  ]);
  openssl(dir, [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-out',
    'service-account.key',
  ]);
  openssl(dir, ['pkey', '-in', 'service-account.key', '-pubout', '-out', 'service-account.pub']);
}

function kubeconfig(state) {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: platform-kube',
    `    cluster: { server: '${state.server}', certificate-authority: '${state.caFile}' }`,
    'users:',
    '  - name: platform-admin',
    `    user: { client-certificate: '${state.clientCertFile}', client-key: '${state.clientKeyFile}' }`,
    'contexts:',
    '  - name: platform-kube',
    '    context: { cluster: platform-kube, user: platform-admin }',
    'current-context: platform-kube',
    '',
  ].join('\n');
}

/** Whether the pid runs a program of ours (a reused pid is not). */
function isOurs(pid, dir) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
  } catch {
    return false;
  }
}

async function terminate(pid) {
  if (!pid || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + stopTimeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

function readState() {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function etcdHealthy(port) {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/health', timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

async function apiServerReady(state) {
  try {
    const { status } = await kubeClient(state).send('GET', '/readyz');
    return status === 200;
  } catch {
    return false;
  }
}

function logTail(file, lines = 30) {
  return existsSync(file)
    ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    : '(no log)';
}

function spawnDetached(program, args, logFile, dir) {
  const fd = openSync(logFile, 'a');
  const child = spawn(program, args, { cwd: dir, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const exit = { reason: undefined };
  child.once('exit', (code, signal) => (exit.reason = signal ?? `exit ${code}`));
  return { pid: child.pid, exit };
}

async function waitFor(check, exit, what, logFile) {
  const deadline = Date.now() + readyTimeoutMs;
  while (!(await check())) {
    if (exit.reason)
      throw new Error(`${what} exited during startup (${exit.reason}); its log:\n${logTail(logFile)}`);
    if (Date.now() > deadline)
      throw new Error(`${what} not ready within ${readyTimeoutMs / 1000} s; its log:\n${logTail(logFile)}`);
    await sleep(250);
  }
}

async function start() {
  const existing = readState();
  if (existing && isOurs(existing.apiServerPid, existing.dir) && (await apiServerReady(existing))) {
    info(`already running (pids ${existing.etcdPid} and ${existing.apiServerPid}, ${existing.dir})`);
    return console.log(existing.kubeconfig);
  }
  if (existing) await stop();
  const etcdVersion = requireProgram(
    'etcd',
    ['--version'],
    "install Debian's etcd-server (apt-get install etcd-server; ./tools/setup.sh does it)",
  );
  requireProgram('openssl', ['version'], 'install openssl (apt-get install openssl)');
  const apiServer = await buildApiServer().catch((error) => fail(error.message));

  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'platform-kube-'));
  makeCredentials(dir);
  const [etcdPort, etcdPeerPort, port] = [await freePort(), await freePort(), await freePort()];
  const state = {
    version,
    dir,
    etcdPort,
    port,
    server: `https://127.0.0.1:${port}`,
    caFile: join(dir, 'ca.crt'),
    clientCertFile: join(dir, 'admin.crt'),
    clientKeyFile: join(dir, 'admin.key'),
    kubeconfig: join(dir, 'kubeconfig'),
    etcdLog: join(dir, 'etcd.log'),
    apiServerLog: join(dir, 'kube-apiserver.log'),
  };
  writeFileSync(state.kubeconfig, kubeconfig(state));
  const save = (more) => writeFileSync(stateFile, `${JSON.stringify({ ...state, ...more }, null, 2)}\n`);

  const peer = `http://127.0.0.1:${etcdPeerPort}`;
  const etcd = spawnDetached(
    'etcd',
    [
      '--name=platform-kube',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=platform-kube=${peer}`,
      '--logger=zap',
      '--log-level=warn',
    ],
    state.etcdLog,
    dir,
  );
  save({ etcdPid: etcd.pid });
  try {
    await waitFor(() => etcdHealthy(etcdPort), etcd.exit, etcdVersion, state.etcdLog);
    const api = spawnDetached(
      apiServer,
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${port}`,
        `--tls-cert-file=${join(dir, 'serving.crt')}`,
        `--tls-private-key-file=${join(dir, 'serving.key')}`,
        `--client-ca-file=${state.caFile}`,
        `--service-account-key-file=${join(dir, 'service-account.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'service-account.key')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        '--authorization-mode=RBAC',
        // Addresses the API server allots to Services; nothing routes them here (no kubelet, no proxy).
        '--service-cluster-ip-range=10.96.0.0/16',
        '--endpoint-reconciler-type=none',
        `--cert-dir=${join(dir, 'certs')}`,
        '--v=1',
      ],
      state.apiServerLog,
      dir,
    );
    save({ etcdPid: etcd.pid, apiServerPid: api.pid });
    await waitFor(() => apiServerReady(state), api.exit, `kube-apiserver ${version}`, state.apiServerLog);
  } catch (error) {
    await stop();
    fail(error.message);
  }
  info(
    `kube-apiserver ${version} on ${state.server} with ${etcdVersion} (${dir}), ready in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s; KUBECONFIG=${state.kubeconfig}`,
  );
  console.log(state.kubeconfig);
}

async function stop() {
  const state = readState();
  if (!state) return info(`not running (no ${stateFile})`);
  for (const pid of [state.apiServerPid, state.etcdPid]) if (isOurs(pid, state.dir)) await terminate(pid);
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(stateFile, { force: true });
  info(`stopped; removed ${state.dir}`);
}

async function apply(args) {
  const state = readState();
  if (!state || !(await apiServerReady(state)))
    fail(`not running (${stateFile}); run: node tools/kube/kube.mjs start`);
  let dryRun = false;
  let namespace;
  const files = [];
  for (let index = 0; index < args.length; index += 1) {
    if (args[index] === '--dry-run') dryRun = true;
    else if (args[index] === '-n') namespace = args[(index += 1)];
    else files.push(args[index]);
  }
  if (files.length === 0) fail('apply: name at least one file (- for stdin)');
  const objects = files.flatMap((file) => parseManifests(readFileSync(file === '-' ? 0 : file, 'utf8')));
  const results = await applyAll(kubeClient(state), objects, { dryRun, namespace });
  for (const result of results) (result.ok ? console.log : console.error)(result.message);
  if (results.some((result) => !result.ok)) process.exit(1);
}

const isMain =
  process.argv[1] && import.meta.filename === (await import('node:fs')).realpathSync(process.argv[1]);
if (isMain) {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'build':
      try {
        console.log(await buildApiServer());
      } catch (error) {
        fail(error.message);
      }
      break;
    case 'start':
      await start();
      break;
    case 'status': {
      const state = readState();
      if (!state || !(await apiServerReady(state))) fail('not running');
      console.log(state.kubeconfig);
      break;
    }
    case 'apply':
      await apply(args);
      break;
    case 'stop':
      await stop();
      break;
    default:
      fail('usage: kube.mjs build | start | status | apply [--dry-run] [-n NAMESPACE] FILE... | stop');
  }
}
