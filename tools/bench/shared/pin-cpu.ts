import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

let available: boolean | undefined;

/** Whether processes can be pinned to CPUs: `taskset` is installed and there are two CPUs or more. */
export function canPin(): boolean {
  available ??= availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0;
  return available;
}

/** A command line that runs `file` pinned to `cpu` (taskset execs it: same pid), or as is. */
export function pinned(
  cpu: number | undefined,
  file: string,
  args: readonly string[],
): { file: string; args: string[] } {
  return cpu !== undefined && canPin()
    ? { file: 'taskset', args: ['-c', String(cpu), file, ...args] }
    : { file, args: [...args] };
}

/** Pins the running process (and the threads it has) to `cpu`; false when it cannot. */
export function pinSelf(cpu: number): boolean {
  return canPin() && spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)]).status === 0;
}

/** Pins process `pid` and its current children (and their threads) to `cpu`; later children inherit it. */
export function pinTree(pid: number, cpu: number): boolean {
  if (!canPin()) return false;
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  return [pid, ...children].every(
    (target) => spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(target)]).status === 0,
  );
}
