import { readFileSync } from 'node:fs';

/**
 * CPU time a process has used, in milliseconds (utime + stime from /proc, 10 ms ticks); with
 * `field` 13, that of its waited-for children (cutime + cstime).
 */
export function cpuMsOf(pid: number | undefined, field = 11): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticksPerSecond = 100;
  return ((Number(fields[field]) + Number(fields[field + 1])) * 1000) / ticksPerSecond;
}

/** CPU time of this process's children that have exited and been waited for, in milliseconds. */
export function childrenCpuMs(): number {
  return cpuMsOf(process.pid, 13);
}
