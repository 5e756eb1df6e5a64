// The dev stack's Node processes: each app runs from its build (`apps/<name>/dist/main.js`) in a
// process group of its own, so a Ctrl-C in the terminal reaches only dev.mjs, which stops them in
// order (a terminal's SIGINT would otherwise hit all of them at once). Each app's whole output
// (stdout and stderr, its JSON lines as written) is appended to `<logDir>/<name>.log`.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, renameSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const stopTimeoutMs = 15_000;
/** A log past this size at start is moved to `<name>.log.1` (the one before is dropped). */
export const logRotateBytes = 20 * 1024 * 1024;

/** Opens `<logDir>/<name>.log` for appending, first moving it to `.log.1` when it grew past {@link logRotateBytes}. */
export function openAppLog(logDir, name) {
  mkdirSync(logDir, { recursive: true });
  const file = join(logDir, `${name}.log`);
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    // no log yet
  }
  if (size > logRotateBytes) renameSync(file, `${file}.1`);
  return { file, stream: createWriteStream(file, { flags: 'a' }) };
}

/**
 * Starts `node apps/<name>/dist/main.js` with `env` added to dev's own, its output appended to
 * `<logDir>/<name>.log`. `ready` resolves with the app's `<name> ready` log entry and rejects with
 * its fatal error or its exit; its warnings and errors are printed as they come.
 */
export function startApp(root, name, env, logDir) {
  const log = openAppLog(logDir, name);
  const child = spawn(process.execPath, [join(root, 'apps', name, 'dist', 'main.js')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // Both streams into one file, as they come; it is closed once both have ended.
  child.stdout.pipe(log.stream, { end: false });
  child.stderr.pipe(log.stream, { end: false });
  let open = 2;
  const closeLog = () => (open -= 1) === 0 && log.stream.end();
  child.stdout.once('close', closeLog);
  child.stderr.once('close', closeLog);
  const logClosed = new Promise((resolveClosed) => log.stream.once('close', resolveClosed));
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ready = new Promise((resolveReady, rejectReady) => {
    child.once('error', (error) => rejectReady(new Error(`${name} did not start: ${error.message}`)));
    child.once('exit', (code, signal) =>
      rejectReady(
        new Error(`${name} exited with ${signal ?? code}${stderr.trim() ? `\n${stderr.trim()}` : ''}`),
      ),
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg === `${name} ready`) resolveReady(entry);
      else if (entry.level === 'fatal') rejectReady(new Error(`${name}: ${entry.err?.message ?? entry.msg}`));
      else if (entry.level === 'warn' || entry.level === 'error') {
        const detail = entry.err?.message ?? (typeof entry.error === 'string' ? entry.error : undefined);
        console.log(`[${name}] ${entry.level}: ${entry.msg}${detail ? ` (${detail})` : ''}`);
      }
    });
  });
  // Awaited later (or never, when an earlier step fails): no unhandled rejection meanwhile.
  ready.catch(() => undefined);
  return { name, child, ready, logFile: log.file, logClosed };
}

export function hasExited(app) {
  return app.child.exitCode !== null || app.child.signalCode !== null;
}

/**
 * SIGTERM (the app drains and exits), SIGKILL after 15 s. Resolves with how it ended, once its
 * last lines are in its log file.
 */
export async function stopApp(app) {
  if (hasExited(app) || app.child.pid === undefined) {
    await app.logClosed;
    return 'already gone';
  }
  const outcome = await new Promise((resolveStop) => {
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      app.child.kill('SIGKILL');
    }, stopTimeoutMs);
    app.child.once('exit', () => {
      clearTimeout(timer);
      resolveStop(killed ? `killed after ${stopTimeoutMs / 1000} s` : 'stopped');
    });
    app.child.kill('SIGTERM');
  });
  await app.logClosed;
  return outcome;
}
