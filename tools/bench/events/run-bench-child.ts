// Runs one measurement in a fresh Node process (no JIT or GC state carried over from another),
// pinned to a CPU when possible, and returns the `result` of its `{"result":…}` line.
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { parseJsonLine, startProcess, stopProcess } from '../shared/child-processes.js';

// BENCH_CPU_PROFILE (a folder): every measurement's process writes its `node --cpu-prof` profile
// there, named after the script, its mode and its place in the run.
const profileDir = process.env['BENCH_CPU_PROFILE'] ? resolve(process.env['BENCH_CPU_PROFILE']) : undefined;
let profiled = 0;

function profileArgs(script: string, options: object): string[] {
  if (!profileDir) return [];
  const mode = 'mode' in options && typeof options.mode === 'string' ? `-${options.mode}` : '';
  profiled += 1;
  const name = `${script}${mode}-${profiled}.cpuprofile`;
  console.error(`${script}${mode}: CPU profile ${join(profileDir, name)}`);
  return ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}`];
}

export async function runBenchChild<T>(
  script: string,
  options: object,
  settings: { cpu?: number; timeoutMs: number },
): Promise<T> {
  const started = await startProcess<T>({
    name: script,
    file: process.execPath,
    args: [...profileArgs(script, options), join(import.meta.dirname, `${script}.js`)],
    env: { PATH: process.env['PATH'], NODE_ENV: 'production', BENCH_CHILD: JSON.stringify(options) },
    ...(settings.cpu !== undefined && { cpu: settings.cpu }),
    ready: (line) => parseJsonLine(line)?.['result'] as T | undefined,
    readyTimeoutMs: settings.timeoutMs,
  });
  try {
    const exited = once(started.child, 'exit');
    const timer = setTimeout(() => started.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  } finally {
    await stopProcess(started.child);
  }
  return started.ready;
}
