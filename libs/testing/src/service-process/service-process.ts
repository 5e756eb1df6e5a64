// A built app (`node apps/<app>/dist/main.js`) as a child process: its JSON log lines collected,
// ready when it logs `<name> ready`, stopped with SIGTERM. What a process spec of every service
// (the hand-written ones and the generator's) and the multi-process tests start.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** One JSON log line. */
export type LogEntry = Record<string, unknown> & { msg?: string };

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every JSON line of its stdout so far. */
  readonly logs: LogEntry[];
  /** Its stderr so far (configuration errors go there). */
  stderr(): string;
  /** Resolves with the first log line (so far or to come) matching, within `timeoutMs`. */
  logged(match: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
  /** Resolves once it has exited. */
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM (unless it already exited), then waits for the exit. */
  stop(): Promise<ProcessExit>;
  /** SIGKILL (unless it already exited), then waits for the exit: a test's cleanup. */
  kill(): Promise<ProcessExit>;
}

/**
 * Spawns `main` with only `env` (and PATH): nothing of the test's environment leaks in. Does not
 * wait for anything: see {@link startServiceProcess}.
 */
export function spawnServiceProcess(name: string, main: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogEntry[] = [];
  const waiters = new Set<{ match: (entry: LogEntry) => boolean; resolve: (entry: LogEntry) => void }>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Read every line for the whole life of the process: a full pipe would stall it.
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        return;
      }
      logs.push(entry);
      for (const waiter of [...waiters]) {
        if (waiter.match(entry)) {
          waiters.delete(waiter);
          waiter.resolve(entry);
        }
      }
    });
  }
  // 'close', not 'exit': the process can exit with its last lines still in the pipe (under load,
  // a stop's `stopped` line was missing from `logs` when 'exit' came); 'close' comes after them.
  const exited = (once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>).then(
    ([code, signal]) => ({ code, signal }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const describe = () =>
    `${name}: exit ${child.exitCode ?? child.signalCode ?? 'none yet'}\n${stderr}\n${logs
      .slice(-20)
      .map((entry) => JSON.stringify(entry))
      .join('\n')}`;
  return {
    name,
    child,
    logs,
    stderr: () => stderr,
    exited,
    logged(match, timeoutMs = 30_000) {
      const found = logs.find(match);
      if (found) return Promise.resolve(found);
      return new Promise<LogEntry>((resolve, reject) => {
        const waiter = {
          match,
          resolve: (entry: LogEntry) => {
            clearTimeout(timer);
            resolve(entry);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${name} did not log the expected line in ${timeoutMs} ms\n${describe()}`));
        }, timeoutMs);
        waiters.add(waiter);
        void exited.then(() => {
          if (!waiters.delete(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`${name} exited before logging the expected line\n${describe()}`));
        });
      });
    },
    async stop() {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      return exited;
    },
  };
}

/**
 * Spawns `main` and waits until it logs `<name> ready` (a fresh PGlite directory takes seconds;
 * on a busy machine tens of them); kills it and throws, with its output, when it does not.
 */
export async function startServiceProcess(
  name: string,
  main: string,
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<{ process: ServiceProcess; ready: LogEntry }> {
  const started = spawnServiceProcess(name, main, env);
  try {
    const ready = await started.logged((entry) => entry.msg === `${name} ready`, timeoutMs);
    return { process: started, ready };
  } catch (error) {
    await started.kill();
    throw error;
  }
}
