// SIGTERM or SIGINT sent to `npm run dev` (a process manager, an IDE's stop button) must reach
// dev.mjs, and npm must wait for it to stop the stack. The root package.json's own `dev` script
// runs here through the real npm, in a scratch package whose tools/dev/dev.mjs is a stand-in
// that reports the signal and stops a moment later (dev itself needs the whole stack).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const script = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.dev;
const scratch = mkdtempSync(join(tmpdir(), 'dev-signals-'));
mkdirSync(join(scratch, 'tools', 'dev'), { recursive: true });
writeFileSync(
  join(scratch, 'package.json'),
  JSON.stringify({ name: 'scratch', private: true, scripts: { dev: script } }),
);
writeFileSync(
  join(scratch, 'tools', 'dev', 'dev.mjs'),
  `for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.log('stand-in got ' + signal);
    setTimeout(() => { console.log('stand-in stopped'); process.exit(0); }, 300);
  });
}
console.log('stand-in ready ' + process.pid);
setInterval(() => undefined, 1000);
`,
);
const alive = new Set();

afterAll(() => {
  for (const pid of alive) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe.each(['SIGTERM', 'SIGINT'])('%s sent to the npm process of `npm run dev`', (signal) => {
  it('reaches dev.mjs, and npm exits only after dev stopped', async () => {
    // Its own process group, as under a process manager: the signal goes to npm alone.
    const npm = spawn('npm', ['run', '--silent', 'dev'], {
      cwd: scratch,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    alive.add(npm.pid);
    let output = '';
    const ready = new Promise((resolveReady) =>
      npm.stdout.on('data', (chunk) => {
        output += chunk;
        const pid = /stand-in ready (\d+)/.exec(output)?.[1];
        if (pid) resolveReady(Number(pid));
      }),
    );
    const exited = once(npm, 'exit');
    const devPid = await ready;
    alive.add(devPid);
    process.kill(npm.pid, signal);
    const [code] = await exited;
    expect(output.trim().split('\n').slice(1)).toEqual([`stand-in got ${signal}`, 'stand-in stopped']);
    expect(() => process.kill(devPid, 0)).toThrow(/ESRCH/); // gone
    expect(code).toBe(0);
  });
});
