// The dev stack's own Kafka broker, run with the launcher tools/kafka/kafka.mjs: its state file is
// .data/kafka/state.json (KAFKA_STATE_FILE) and its data directory is made under .data/kafka/
// (the launcher makes it in os.tmpdir(), so TMPDIR points there). `stop --keep` on Ctrl-C keeps
// both, and the next `npm run dev` resumes the same broker: address, topics, offsets.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { portFree } from '../scripts/free-port.mjs';

const launcher = join(import.meta.dirname, '..', 'kafka', 'kafka.mjs');

/** Where the dev broker's state file and data live. */
export function kafkaPaths(dataDir) {
  const dir = join(dataDir, 'kafka');
  return { dir, stateFile: join(dir, 'state.json') };
}

/** The launcher's state of the dev broker (pid, port, data directory), if any. */
export function readKafkaState(paths) {
  try {
    return JSON.parse(readFileSync(paths.stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A line that says how long a step has taken so far: rewritten in place on a terminal, every 10 s otherwise. */
function progress(label) {
  const started = Date.now();
  const tty = process.stdout.isTTY;
  const seconds = () => Math.round((Date.now() - started) / 1000);
  let shown = false;
  const timer = setInterval(() => {
    if (tty) {
      process.stdout.write(`\rdev: ${label} … ${seconds()} s\x1b[K`);
      shown = true;
    } else if (seconds() % 10 === 0) {
      console.log(`dev: ${label} … ${seconds()} s`);
    }
  }, 1_000);
  const clear = () => {
    if (shown) process.stdout.write('\r\x1b[K');
    shown = false;
  };
  return {
    /** Prints a line (on stderr, as the launcher does) above the progress line. */
    print(line) {
      clear();
      console.error(line);
    },
    done() {
      clearInterval(timer);
      clear();
    },
  };
}

let current;

/**
 * Runs `node tools/kafka/kafka.mjs <args>` for the dev broker, in a process group of its own (a
 * terminal's Ctrl-C reaches dev.mjs only, which interrupts it through {@link interruptLauncher}).
 * Its messages (stderr) are printed as they come; resolves with its exit code and output.
 */
function runLauncher(paths, args, label) {
  mkdirSync(paths.dir, { recursive: true });
  const child = spawn(process.execPath, [launcher, ...args], {
    // A dev broker carries a few hundred records a second at most: a quarter of the launcher's
    // default heap (after `npm run load` its old generation held ~55 MB: 11 collections, 0.3 s).
    env: { KAFKA_HEAP_MB: '128', ...process.env, KAFKA_STATE_FILE: paths.stateFile, TMPDIR: paths.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const shown = label ? progress(label) : { print: (line) => console.error(line), done: () => undefined };
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  // A failed start ends with the broker log's last 40 lines: only its errors are shown (or its last 10).
  const logTail = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr += `${line}\n`;
    if (child.interrupted) return; // dev is stopping: the launcher's report of it is noise
    if (logTail.length > 0 || line.startsWith('server log (last lines)')) logTail.push(line);
    else shown.print(line);
  });
  const exited = new Promise((resolveExit) => {
    child.once('error', (error) => {
      stderr += `${error.message}\n`;
      resolveExit(1);
    });
    child.once('close', (code, signal) => resolveExit(code ?? signal));
  });
  current = child;
  return exited.then((code) => {
    shown.done();
    if (logTail.length > 0 && !child.interrupted) {
      const errors = logTail
        .slice(1)
        .filter(
          (line) => /^\[[^\]]*\] (ERROR|FATAL)\b/.test(line) || /^[\w.$]*(Exception|Error)\b/.test(line),
        );
      console.error(logTail[0].replace('last lines', errors.length > 0 ? 'its errors' : 'last lines'));
      for (const line of (errors.length > 0 ? errors : logTail.slice(1)).slice(-10)) console.error(line);
    }
    if (current === child) current = undefined;
    return { code, stdout: stdout.trim(), stderr: stderr.trim() };
  });
}

/** Stops a launcher still running (a start interrupted by Ctrl-C): it then stops its broker. */
export function interruptLauncher() {
  if (current?.pid === undefined || current.exitCode !== null || current.signalCode !== null) return;
  current.interrupted = true;
  try {
    process.kill(-current.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/**
 * Checks Java (and, when the jars are not cached yet, fetches them with Maven): the launcher's
 * `fetch`. Throws with the launcher's message, e.g. when Java or Maven is missing.
 */
export async function checkKafka(paths) {
  const { code, stderr } = await runLauncher(paths, ['fetch'], 'checking Java and the Kafka jars');
  if (code !== 0)
    throw new Error(`Kafka cannot run here${stderr ? '' : ` (kafka.mjs fetch exited with ${code})`}`);
}

/** Whether the state's broker process is still running (not a reused pid). */
function brokerRunning(state) {
  try {
    const commandLine = readFileSync(`/proc/${state.pid}/cmdline`, 'utf8');
    return commandLine.includes('kafka.Kafka') && commandLine.includes(state.configFile);
  } catch {
    return false;
  }
}

/** Starts (or resumes) the dev broker; resolves with its bootstrap address and data directory. */
export async function startKafka(paths) {
  const state = readKafkaState(paths);
  // A broker that went away without `stop --keep` (killed, a reboot): the launcher would start
  // afresh and delete its data, so it is marked stopped first and resumed like any other.
  if (state && !state.stopped && !brokerRunning(state)) await stopKafka(paths, { keep: true });
  // A kept broker comes back on its ports (its address is in the other processes' settings).
  const kept = readKafkaState(paths);
  if (kept?.stopped) {
    for (const port of [kept.port, kept.controllerPort]) {
      if (!(await portFree(port))) {
        throw new Error(
          `the kept Kafka broker listens on 127.0.0.1:${port}, which another process has taken ` +
            '(`ss -ltnp` shows which): free it, or run `npm run dev -- --reset` for a new broker (its data is deleted)',
        );
      }
    }
  }
  const label = kept?.stopped ? 'resuming Kafka on its kept data' : 'starting Kafka';
  const { code, stdout } = await runLauncher(paths, ['start'], label);
  const bootstrap = stdout.split('\n').at(-1);
  if (code !== 0 || !/^127\.0\.0\.1:\d+$/.test(bootstrap ?? '')) {
    throw new Error(`Kafka did not start (kafka.mjs start exited with ${code}; see above)`);
  }
  return { bootstrap, dataDir: readKafkaState(paths)?.dir ?? paths.dir };
}

/** Stops the dev broker: `stop --keep` keeps its data for the next start; without it, removes it. */
export async function stopKafka(paths, { keep }) {
  if (!existsSync(paths.stateFile)) return;
  const { code } = await runLauncher(paths, keep ? ['stop', '--keep'] : ['stop']);
  if (code !== 0) throw new Error(`kafka.mjs stop exited with ${code}`);
}

/** The pid of the running dev broker, to notice when it dies. */
export function kafkaPid(paths) {
  return readKafkaState(paths)?.pid;
}
