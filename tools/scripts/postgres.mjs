#!/usr/bin/env node
// A throwaway PostgreSQL server for tests and CI: a fresh cluster in a temp directory on
// 127.0.0.1 and a free port, trust auth (loopback only), fsync off. Nothing of the machine's
// own cluster is touched.
//
//   node tools/scripts/postgres.mjs start         # prints the DATABASE_URL of database "platform"
//   node tools/scripts/postgres.mjs start --env   # prints `export DATABASE_URL='...'` (for eval)
//   node tools/scripts/postgres.mjs url           # the URL of the running server
//   node tools/scripts/postgres.mjs stop          # stops it and deletes its directory
//
// The server's directory, port and pid are kept in a state file (POSTGRES_STATE_FILE, default
// /tmp/platform-postgres.json), so `stop` works from another shell. Binaries come from
// PG_BIN_DIR, else the newest /usr/lib/postgresql/<version>/bin (15 or later), else PATH.
// Postgres refuses to run as root: as root, every server command runs as the `postgres` OS user
// (created by the distribution's package), which owns the directory.
import { spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { freePort } from './free-port.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const stateFile = process.env.POSTGRES_STATE_FILE ?? join(tmpdir(), 'platform-postgres.json');
const databaseName = 'platform';
const minimumVersion = 15;

function fail(message) {
  console.error(`postgres.mjs: ${message}`);
  process.exit(1);
}

function findBinDir() {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .map(Number)
        .filter(
          (version) => version >= minimumVersion && existsSync(join(root, String(version), 'bin', 'pg_ctl')),
        )
        .sort((a, b) => b - a)
    : [];
  if (versions.length > 0) return join(root, String(versions[0]), 'bin');
  const onPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  if (onPath.status === 0) return join(onPath.stdout.trim(), '..');
  return fail(
    `no PostgreSQL ${minimumVersion}+ server binaries (pg_ctl) found in /usr/lib/postgresql/*/bin or on PATH; ` +
      'install them (apt-get install postgresql) or set PG_BIN_DIR',
  );
}

const runAsRoot = process.getuid?.() === 0;

function osUser() {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (result.status !== 0) fail('running as root, but there is no `postgres` OS user to run the server as');
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Runs a PostgreSQL binary, as the postgres OS user when we are root. Throws on failure. */
function run(binDir, binary, args, { allowFailure = false } = {}) {
  const command = join(binDir, binary);
  const [file, argv] = runAsRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: 'utf8', cwd: tmpdir() });
  if (result.status !== 0 && !allowFailure) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(
      `${binary} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`,
    );
  }
  return result;
}

function readState() {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, 'utf8'));
}

function isRunning(state) {
  const result = run(state.binDir, 'pg_ctl', ['status', '-D', state.dataDir], { allowFailure: true });
  return result.status === 0;
}

function printUrl(url, asEnv) {
  console.log(asEnv ? `export DATABASE_URL='${url}'` : url);
}

async function start(asEnv) {
  const existing = readState();
  if (existing && isRunning(existing)) {
    console.error(`postgres.mjs: already running (pid ${existing.pid}, ${existing.dir})`);
    return printUrl(existing.url, asEnv);
  }
  if (existing) rmSync(existing.dir, { recursive: true, force: true });

  const binDir = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'platform-postgres-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const logFile = join(dir, 'server.log');
  mkdirSync(socketDir);
  if (runAsRoot) {
    const { uid, gid } = osUser();
    for (const path of [dir, socketDir]) chownSync(path, uid, gid);
  }
  const port = await freePort();
  try {
    run(binDir, 'initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--no-instructions',
    ]);
    const serverOptions = [
      `-p ${port}`,
      `-k ${socketDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    run(binDir, 'pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions]);
    run(binDir, 'createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', databaseName]);
  } catch (error) {
    const log = existsSync(logFile) ? `\nserver log:\n${readFileSync(logFile, 'utf8')}` : '';
    run(binDir, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate'], { allowFailure: true });
    rmSync(dir, { recursive: true, force: true });
    return fail(`${error.message}${log}`);
  }
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const url = `postgres://postgres@127.0.0.1:${port}/${databaseName}`;
  writeFileSync(stateFile, JSON.stringify({ pid, port, dir, dataDir, binDir, url }, null, 2));
  console.error(`postgres.mjs: PostgreSQL running (pid ${pid}, port ${port}, ${dir})`);
  return printUrl(url, asEnv);
}

function stop() {
  const state = readState();
  if (!state) {
    console.error(`postgres.mjs: not running (no ${stateFile})`);
    return;
  }
  if (isRunning(state)) run(state.binDir, 'pg_ctl', ['stop', '-D', state.dataDir, '-m', 'fast', '-w']);
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(stateFile, { force: true });
  console.error(`postgres.mjs: stopped (pid ${state.pid}) and removed ${state.dir}`);
}

const [command, ...flags] = process.argv.slice(2);
switch (command) {
  case 'start':
    await start(flags.includes('--env'));
    break;
  case 'stop':
    stop();
    break;
  case 'url': {
    const state = readState();
    if (!state || !isRunning(state)) fail('not running');
    printUrl(state.url, flags.includes('--env'));
    break;
  }
  default:
    fail('usage: postgres.mjs start [--env] | url [--env] | stop');
}
