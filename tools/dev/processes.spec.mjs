// The dev stack's app processes with a stand-in app (a real Node process printing JSON lines as
// the apps do): its whole output kept in its log file, appended across runs and rotated when
// large; only warnings and errors on the terminal.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { logRotateBytes, startApp, stopApp } from './processes.mjs';

const root = mkdtempSync(join(tmpdir(), 'dev-processes-'));
const logDir = join(root, '.data', 'logs');
mkdirSync(join(root, 'apps', 'stand-in', 'dist'), { recursive: true });
writeFileSync(
  join(root, 'apps', 'stand-in', 'dist', 'main.js'),
  `const line = (level, msg) => console.log(JSON.stringify({ level, time: 'now', msg, run: process.env.RUN }));
line('info', 'starting');
line('warn', 'Kafka is slow');
console.error('a plain stderr line');
process.once('SIGTERM', () => setTimeout(() => { line('info', 'stopped'); process.exit(0); }, 50));
line('info', 'stand-in ready');
setInterval(() => undefined, 1000);
`,
);

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(runId) {
  const app = startApp(root, 'stand-in', { RUN: runId }, logDir);
  const ready = await app.ready;
  expect(ready.msg).toBe('stand-in ready');
  expect(await stopApp(app)).toBe('stopped');
  return app;
}

describe('startApp', () => {
  it('keeps every line the app writes in its log, appended across runs, and shows only its warnings', async () => {
    const shown = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const app = await run('1');
      await run('2');
      expect(app.logFile).toBe(join(logDir, 'stand-in.log'));
      const lines = readFileSync(app.logFile, 'utf8').trimEnd().split('\n');
      const expected = (run) => [
        JSON.stringify({ level: 'info', time: 'now', msg: 'starting', run }),
        JSON.stringify({ level: 'warn', time: 'now', msg: 'Kafka is slow', run }),
        JSON.stringify({ level: 'info', time: 'now', msg: 'stand-in ready', run }),
        // written during the stop: in the file by the time stopApp resolves
        JSON.stringify({ level: 'info', time: 'now', msg: 'stopped', run }),
      ];
      // stdout's lines in order, stderr's line among them (two pipes: no order between them).
      expect(lines.filter((line) => line.startsWith('{'))).toEqual([...expected('1'), ...expected('2')]);
      expect(lines.filter((line) => line === 'a plain stderr line')).toHaveLength(2);
      expect(shown.mock.calls.map(([line]) => line)).toEqual([
        '[stand-in] warn: Kafka is slow',
        '[stand-in] warn: Kafka is slow',
      ]);
    } finally {
      shown.mockRestore();
    }
  });

  it('moves a log past its size bound aside at start, keeping one', async () => {
    const shown = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const file = join(logDir, 'stand-in.log');
      truncateSync(file, logRotateBytes + 1);
      await run('3');
      expect(statSync(`${file}.1`).size).toBe(logRotateBytes + 1);
      expect(readFileSync(file, 'utf8')).toContain('"run":"3"');
      expect(readFileSync(file, 'utf8')).not.toContain('"run":"1"');
    } finally {
      shown.mockRestore();
    }
  });
});
