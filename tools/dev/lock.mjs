// One `npm run dev` at a time per checkout: a second one would share (and, stopping, take down)
// the first one's broker and open the same PGlite directories. The pid is kept in .data/dev/dev.pid.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const lockFile = (dataDir) => join(dataDir, 'dev', 'dev.pid');

/** Whether the pid is a running dev.mjs (not a reused pid). */
function isDev(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dev.mjs');
  } catch {
    return false;
  }
}

/** Takes the lock; returns the pid of another running dev instead when there is one. */
export function acquireLock(dataDir) {
  const file = lockFile(dataDir);
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (pid && pid !== process.pid && isDev(pid)) return pid;
  }
  mkdirSync(join(dataDir, 'dev'), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${process.pid}\n`);
  return undefined;
}

export function releaseLock(dataDir) {
  const file = lockFile(dataDir);
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file);
  } catch {
    // not ours or gone
  }
}
