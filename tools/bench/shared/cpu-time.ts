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

/** Busy and total time of each CPU since boot, in ticks (/proc/stat's `cpuN` lines). */
export interface CoreTimes {
  busy: number[];
  total: number[];
}

export function coreTimes(): CoreTimes {
  const times: CoreTimes = { busy: [], total: [] };
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    if (!/^cpu\d+ /.test(line)) continue;
    // user nice system idle iowait irq softirq steal …: idle and iowait are the idle time.
    const ticks = line.split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((sum, tick) => sum + tick, 0);
    times.total.push(total);
    times.busy.push(total - (ticks[3] ?? 0) - (ticks[4] ?? 0));
  }
  return times;
}

/** The share of each CPU that was busy since `since` (0 to 1): whether the machine was saturated. */
export function coresBusySince(since: CoreTimes): number[] {
  const now = coreTimes();
  return now.busy.map((busy, core) => {
    const total = (now.total[core] ?? 0) - (since.total[core] ?? 0);
    return total > 0 ? (busy - (since.busy[core] ?? 0)) / total : 0;
  });
}
