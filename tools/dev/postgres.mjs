// The dev stack's PostgreSQL, run with the launcher tools/scripts/postgres.mjs: one server for
// the whole stack with a role and a database per service, as compose and production have. Its
// cluster is kept in .data/postgres/cluster (POSTGRES_DIR), its state in .data/postgres/state.json
// (POSTGRES_STATE_FILE); `stop --keep` on Ctrl-C keeps both and the next `npm run dev` starts it
// again on the same data. Without PostgreSQL server binaries (./tools/setup.sh installs them) the
// services run on embedded PGlite instead, each in its own data directory.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findPostgresBinDir } from '../scripts/postgres.mjs';

const launcher = join(import.meta.dirname, '..', 'scripts', 'postgres.mjs');

/** Where the dev server's cluster and state file live. */
export function postgresPaths(dataDir) {
  const dir = join(dataDir, 'postgres');
  return { dir, clusterDir: join(dir, 'cluster'), stateFile: join(dir, 'state.json') };
}

/** Whether the dev stack can run its own PostgreSQL here (the server binaries are installed). */
export function postgresAvailable() {
  return findPostgresBinDir() !== undefined;
}

/**
 * Runs `node tools/scripts/postgres.mjs <args>` for the dev server. Detached (a process group of
 * its own): the server it starts must not get a terminal's Ctrl-C (a fast shutdown under the
 * running services); dev stops it last, in order. Resolves with its output; rejects with its
 * messages when it fails.
 */
function runLauncher(paths, args) {
  return new Promise((resolveRun, rejectRun) => {
    execFile(
      process.execPath,
      [launcher, ...args],
      {
        env: { ...process.env, POSTGRES_DIR: paths.clusterDir, POSTGRES_STATE_FILE: paths.stateFile },
        detached: true,
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (error)
          rejectRun(new Error(`postgres.mjs ${args.join(' ')} failed:\n${stderr.trim() || error.message}`));
        else resolveRun({ stdout: stdout.trim(), stderr: stderr.trim() });
      },
    );
  });
}

/**
 * Starts (or resumes) the dev server and makes each of `databases` (role and database of that
 * name) when missing. Resolves with the server's pid, its log and each database's URL by name.
 */
export async function startPostgres(paths, databases) {
  // As root the launcher runs the server as the `postgres` OS user, which must reach the cluster
  // in .data/ (owner-only, made so for the secrets): traverse-only for others, nothing listed.
  if (process.getuid?.() === 0) {
    for (const dir of [dirname(paths.dir), paths.dir]) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o711);
    }
  }
  const { stderr } = await runLauncher(paths, ['start']);
  if (stderr) console.error(stderr);
  const urls = {};
  for (const name of databases) urls[name] = (await runLauncher(paths, ['database', name])).stdout;
  return { pid: postgresPid(paths), logFile: join(paths.clusterDir, 'server.log'), urls };
}

/** Stops the dev server: with `keep`, its data stays for the next start; without, it is deleted. */
export async function stopPostgres(paths, { keep }) {
  if (postgresPid(paths) === undefined) return;
  const { stderr } = await runLauncher(paths, keep ? ['stop', '--keep'] : ['stop']);
  if (stderr) console.error(stderr);
}

/** The pid of the dev server's postmaster, from the launcher's state file. */
export function postgresPid(paths) {
  try {
    return JSON.parse(readFileSync(paths.stateFile, 'utf8')).pid;
  } catch {
    return undefined;
  }
}
