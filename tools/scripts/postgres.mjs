#!/usr/bin/env node
// A PostgreSQL server on 127.0.0.1 and a free port, trust auth (loopback only): by default a
// throwaway one for tests and CI (a fresh cluster in a temp directory, fsync off); with
// POSTGRES_DIR a kept one (the dev stack's: `npm run dev` keeps it in .data/postgres), whose
// cluster survives `stop --keep` and is started again on its data. Nothing of the machine's own
// cluster is touched.
//
//   node tools/scripts/postgres.mjs start           # prints the DATABASE_URL of database "platform"
//   node tools/scripts/postgres.mjs start --env     # prints `export DATABASE_URL='...'` (for eval)
//   node tools/scripts/postgres.mjs url             # the URL of the running server
//   node tools/scripts/postgres.mjs database <name> # role <name> and database <name> owned by it
//                                                   # (made when missing); prints its URL
//   node tools/scripts/postgres.mjs stop            # stops it and deletes its directory
//   node tools/scripts/postgres.mjs stop --keep     # a kept one: stops it, its data kept for `start`
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
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, portFree } from './free-port.mjs';

const stateFile = process.env.POSTGRES_STATE_FILE ?? join(tmpdir(), 'platform-postgres.json');
const keptDir = process.env.POSTGRES_DIR ? resolve(process.env.POSTGRES_DIR) : undefined;
const databaseName = 'platform';
const minimumVersion = 15;

function fail(message) {
  console.error(`postgres.mjs: ${message}`);
  process.exit(1);
}

/**
 * The directory of the PostgreSQL server binaries (pg_ctl, initdb …): PG_BIN_DIR, else the
 * newest /usr/lib/postgresql/<version>/bin (15 or later), else the one of pg_ctl on PATH;
 * undefined when there are none (the dev runner then falls back to PGlite).
 */
export function findPostgresBinDir() {
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
  return undefined;
}

function findBinDir() {
  return (
    findPostgresBinDir() ??
    fail(
      `no PostgreSQL ${minimumVersion}+ server binaries (pg_ctl) found in /usr/lib/postgresql/*/bin or on PATH; ` +
        'install them (apt-get install postgresql, or ./tools/setup.sh) or set PG_BIN_DIR',
    )
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

function urlOf(port, user, database) {
  return `postgres://${user}@127.0.0.1:${port}/${database}`;
}

/**
 * Server settings. A throwaway cluster trades durability for speed (fsync off: an OS crash may
 * corrupt it, which does not matter for tests). A kept cluster holds the dev stack's data, so it
 * keeps fsync and only defers commits (synchronous_commit off: an OS crash loses the last
 * moments' commits, never the cluster). Both keep memory small: the dev stack's data is small,
 * and the default 128 MB of shared buffers would fill with pages a laptop needs elsewhere.
 */
function serverOptions(port, socketDir, kept) {
  return [
    `-p ${port}`,
    `-k ${socketDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c synchronous_commit=off',
    '-c max_connections=200',
    '-c shared_buffers=32MB',
    ...(kept ? [] : ['-c fsync=off', '-c full_page_writes=off']),
  ].join(' ');
}

/** Makes the cluster (initdb) in `dir`, or reuses the one a kept directory already holds. */
function prepareCluster(binDir, dir) {
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  mkdirSync(socketDir, { recursive: true });
  if (runAsRoot) {
    const { uid, gid } = osUser();
    for (const path of [dir, socketDir]) chownSync(path, uid, gid);
    if (spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir]).status !== 0) {
      throw new Error(
        `the postgres OS user cannot reach ${dir}: a directory above it is closed to other users ` +
          '(let them traverse it: chmod o+x)',
      );
    }
  }
  const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
  if (fresh) {
    run(binDir, 'initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--no-instructions',
    ]);
  }
  return { dataDir, socketDir, logFile: join(dir, 'server.log'), fresh };
}

async function start(asEnv) {
  const existing = readState();
  if (existing && isRunning(existing)) {
    console.error(`postgres.mjs: already running (pid ${existing.pid}, ${existing.dir})`);
    return printUrl(existing.url, asEnv);
  }
  // A kept cluster (stopped with --keep, or gone without a stop) starts again on its data, on its
  // port while that is free; a throwaway one left behind is deleted.
  const resume = existing?.kept && existsSync(existing.dataDir) ? existing : undefined;
  if (existing && !resume) rmSync(existing.dir, { recursive: true, force: true });

  const binDir = resume?.binDir ?? findBinDir();
  const kept = resume !== undefined || keptDir !== undefined;
  const dir = resume?.dir ?? keptDir ?? mkdtempSync(join(tmpdir(), 'platform-postgres-'));
  mkdirSync(dir, { recursive: true });
  const port = resume && (await portFree(resume.port)) ? resume.port : await freePort();
  let cluster;
  try {
    cluster = prepareCluster(binDir, dir);
    run(binDir, 'pg_ctl', [
      'start',
      '-D',
      cluster.dataDir,
      '-l',
      cluster.logFile,
      '-w',
      '-t',
      '60',
      '-o',
      serverOptions(port, cluster.socketDir, kept),
    ]);
    if (cluster.fresh) {
      run(binDir, 'createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', databaseName]);
    }
  } catch (error) {
    const logFile = join(dir, 'server.log');
    const log = existsSync(logFile) ? `\nserver log:\n${readFileSync(logFile, 'utf8')}` : '';
    if (cluster)
      run(binDir, 'pg_ctl', ['stop', '-D', cluster.dataDir, '-m', 'immediate'], { allowFailure: true });
    if (!kept) rmSync(dir, { recursive: true, force: true });
    return fail(`${error.message}${log}`);
  }
  const pid = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const url = urlOf(port, 'postgres', databaseName);
  writeFileSync(
    stateFile,
    JSON.stringify({ pid, port, dir, dataDir: cluster.dataDir, binDir, url, kept }, null, 2),
  );
  const how = resume || !cluster.fresh ? 'resumed on its kept data' : kept ? 'running (kept)' : 'running';
  console.error(`postgres.mjs: PostgreSQL ${how} (pid ${pid}, port ${port}, ${dir})`);
  return printUrl(url, asEnv);
}

/**
 * A role and a database of the same name, owned by it and closed to other roles (as
 * deploy/postgres/init-databases.sh makes them for compose): a service's own database.
 */
function database(name) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name ?? '')) fail(`a database name is [a-z_][a-z0-9_]*, not ${name}`);
  const state = readState();
  if (!state || !isRunning(state)) fail('not running');
  const psql = (sql, dbname = databaseName) =>
    run(state.binDir, 'psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(state.port),
      '-U',
      'postgres',
      '-d',
      dbname,
      '-v',
      'ON_ERROR_STOP=1',
      '-tAc',
      sql,
    ]).stdout.trim();
  if (psql(`select 1 from pg_roles where rolname = '${name}'`) !== '1') psql(`create role "${name}" login`);
  if (psql(`select 1 from pg_database where datname = '${name}'`) !== '1') {
    psql(`create database "${name}" owner "${name}"`);
    psql(`revoke all on database "${name}" from public`);
  }
  console.log(urlOf(state.port, name, name));
}

function stop(keep) {
  const state = readState();
  if (!state) {
    console.error(`postgres.mjs: not running (no ${stateFile})`);
    return;
  }
  if (isRunning(state)) run(state.binDir, 'pg_ctl', ['stop', '-D', state.dataDir, '-m', 'fast', '-w']);
  if (keep && state.kept) {
    console.error(`postgres.mjs: stopped (pid ${state.pid}); its data is kept in ${state.dir}`);
    return;
  }
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(stateFile, { force: true });
  console.error(`postgres.mjs: stopped (pid ${state.pid}) and removed ${state.dir}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'start':
      await start(args.includes('--env'));
      break;
    case 'stop':
      stop(args.includes('--keep'));
      break;
    case 'database':
      database(args[0]);
      break;
    case 'url': {
      const state = readState();
      if (!state || !isRunning(state)) fail('not running');
      printUrl(state.url, args.includes('--env'));
      break;
    }
    default:
      fail('usage: postgres.mjs start [--env] | url [--env] | database <name> | stop [--keep]');
  }
}
