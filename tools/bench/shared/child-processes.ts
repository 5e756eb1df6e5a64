// The processes a benchmark starts: spawned (optionally pinned to a CPU), ready when a stdout
// line says so, and always stopped by pid: at the end, on failure, on SIGINT/SIGTERM and, as a
// last resort, with SIGKILL when the runner exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { pinned } from './pin-cpu.js';

const running = new Set<ChildProcess>();

/** How to start one process and recognise that it is ready. */
export interface StartProcess<T> {
  name: string;
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** CPU to pin it to (taskset); unpinned when undefined or when pinning is not possible. */
  cpu?: number;
  /** Reads each stdout line until it returns a value: the process is ready. */
  ready: (line: string) => T | undefined;
  /** Sees every stdout line, also after ready (the pipe is always drained). */
  onLine?: (line: string) => void;
  /** Default 60 s. */
  readyTimeoutMs?: number;
}

export interface StartedProcess<T> {
  child: ChildProcess;
  pid: number;
  ready: T;
  /** The last lines the process wrote to stderr. */
  stderr: () => string;
}

export async function startProcess<T>(options: StartProcess<T>): Promise<StartedProcess<T>> {
  const command = pinned(options.cpu, options.file, options.args);
  const child = spawn(command.file, command.args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  try {
    const ready = await new Promise<T>((resolveReady, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} was not ready within ${timeoutMs / 1000} s\n${stderr}`)),
        timeoutMs,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited (${code ?? signal}) before it was ready\n${stderr}`));
      });
      if (!child.stdout) throw new Error(`${options.name}: stdout is not piped`);
      let done = false;
      createInterface({ input: child.stdout }).on('line', (line) => {
        options.onLine?.(line);
        if (done) return;
        const value = options.ready(line);
        if (value === undefined) return;
        done = true;
        clearTimeout(timer);
        resolveReady(value);
      });
    });
    if (child.pid === undefined) throw new Error(`${options.name} has no pid`);
    return { child, pid: child.pid, ready, stderr: () => stderr };
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
}

/** SIGTERM, SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stops every process still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child)));
}

/** What a runner does around the stop on SIGINT/SIGTERM or its own time limit. */
export interface StopHooks {
  /** Before the processes are stopped (abort the load generator). */
  before?: () => void;
  /** After they have exited (delete temporary files). */
  after?: () => Promise<void>;
}

/**
 * On SIGINT/SIGTERM: stop every process (with the hooks around it), exit 130. On any exit:
 * SIGKILL whatever is still running. Returns the same stop, for a runner's own time limit:
 * `(reason, exitCode)`.
 */
export function stopAllOnExit(hooks: StopHooks = {}): (reason: string, code: number) => void {
  let stopping = false;
  const stopAndExit = (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    console.error(`${reason}: stopping the benchmark's processes`);
    hooks.before?.();
    const force = setTimeout(() => process.exit(code), 15_000);
    void stopAll()
      .then(() => hooks.after?.())
      .finally(() => {
        clearTimeout(force);
        process.exit(code);
      });
  };
  process.once('SIGINT', (signal) => stopAndExit(signal, 130));
  process.once('SIGTERM', (signal) => stopAndExit(signal, 130));
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  return stopAndExit;
}

/** The JSON object on a line, or undefined when the line is not one. */
export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
