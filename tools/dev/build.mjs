// The dev stack's build: `nx run-many -t build` of the apps, its whole output kept in
// .data/logs/build.log, and one compact line per task on the terminal as Nx starts it (which
// project, and whether it came from the cache): a first build takes minutes on a small machine.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

// eslint-disable-next-line no-control-regex -- ANSI colour codes, should Nx print them anyway
const ansi = /\x1b\[[0-9;]*m/g;

/**
 * Reads Nx's `--output-style=stream` lines: the run's size (`Running target build for 3
 * projects and 10 tasks they depend on`), each task as it starts (`> nx run events:build`, with
 * `[local cache]`, `[remote cache]` or `[existing outputs match the cache, left as is]` when it
 * is not run), and the failed tasks listed at the end.
 */
export function nxProgress() {
  let total;
  let started = 0;
  let cached = 0;
  let inFailedList = false;
  const failed = [];
  return {
    /** Takes one line; returns the task it starts, if it starts one. */
    line(raw) {
      const text = raw.replace(ansi, '');
      const size =
        /Running target \S+ for (?:(\d+) projects?|project \S+?)(?: and (\d+) tasks? they depend on)?:?$/.exec(
          text.trim(),
        );
      if (size) total = Number(size[1] ?? 1) + Number(size[2] ?? 0);
      if (/^\s*Failed tasks:/.test(text)) inFailedList = true;
      else if (inFailedList && /^\s*- \S+/.test(text)) failed.push(text.trim().slice(2));
      const task = /^> nx run (\S+?)(?:\s+\[([^\]]+)\])?\s*$/.exec(text);
      if (!task) return undefined;
      started += 1;
      const fromCache = /cache/.test(task[2] ?? '');
      if (fromCache) cached += 1;
      return { task: task[1], fromCache, index: started, total };
    },
    summary: () => ({ total: total ?? started, started, cached, failed }),
  };
}

/**
 * The lines of the failed tasks in Nx's streamed output (prefixed with their project, `events:
 * src/x.ts(1,2): error …`), the last `max`; the end of the output when none is prefixed.
 */
export function failedOutput(text, failed, max = 40) {
  const lines = text.replace(ansi, '').trimEnd().split('\n');
  const projects = failed.map((task) => task.split(':')[0]);
  const ofFailed = lines.filter((line) => projects.some((project) => line.startsWith(`${project}: `)));
  return (ofFailed.length > 0 ? ofFailed : lines).slice(-max);
}

/** How a started task is shown: `[ 4/13] events:build (from cache)`. */
export function formatTask({ task, fromCache, index, total }) {
  const width = String(total ?? index).length;
  const counter = total ? `${String(index).padStart(width)}/${total}` : String(index);
  return `[${counter}] ${task}${fromCache ? ' (from cache)' : ' …'}`;
}

/**
 * Builds `projects` with Nx, its output appended to `logFile` (made fresh each run) and a line per
 * task given to `say`. Resolves with the exit code and the summary; `child` is there to be
 * stopped (SIGTERM) by a Ctrl-C during the build.
 */
export function buildApps({ root, projects, logFile, say }) {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'w' });
  const child = spawn(
    join(root, 'node_modules', '.bin', 'nx'),
    ['run-many', '-t', 'build', '-p', projects.join(','), '--output-style=stream'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', FORCE_COLOR: '0', NO_COLOR: '1' },
    },
  );
  const progress = nxProgress();
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipe(log, { end: false });
    createInterface({ input: stream }).on('line', (line) => {
      const started = progress.line(line);
      if (started) say(formatTask(started));
    });
  }
  const done = new Promise((resolveBuild) => {
    child.once('error', (error) => {
      log.write(`${error.message}\n`);
      resolveBuild(1);
    });
    child.once('close', (code, signal) => resolveBuild(code ?? signal));
  }).then(
    (code) => new Promise((resolveClosed) => log.end(() => resolveClosed({ code, ...progress.summary() }))),
  );
  return { child, done };
}
