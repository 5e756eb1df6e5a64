import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServiceProcess, startServiceProcess } from './service-process.js';

// A stand-in for a built service: logs JSON lines, reads its environment, drains on SIGTERM.
const fakeMain = `
const log = (entry) => process.stdout.write(JSON.stringify(entry) + '\\n');
if (process.env.FAIL) { process.stderr.write('FAIL: ' + process.env.FAIL + '\\n'); process.exit(78); }
log({ msg: 'not json is skipped' });
process.stdout.write('plain text\\n');
// Before the ready line, as runService does: the test signals as soon as it reads it.
process.on('SIGTERM', () => { log({ msg: 'stopped', forced: false }); process.exit(0); });
log({ msg: 'fake ready', leaked: process.env.LEAK ?? null, port: Number(process.env.PORT) });
setInterval(() => {}, 1_000);
`;

let dir: string;
let main: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-process-'));
  main = join(dir, 'main.mjs');
  await writeFile(main, fakeMain);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('startServiceProcess', () => {
  it('resolves with the ready line, gives only the env it is told, and stops on SIGTERM', async () => {
    process.env['LEAK'] = 'from the test';
    try {
      const { process: fake, ready } = await startServiceProcess('fake', main, { PORT: '7' });
      expect(ready).toMatchObject({ msg: 'fake ready', leaked: null, port: 7 });
      expect(await fake.stop()).toEqual({ code: 0, signal: null });
      expect(fake.logs.map((entry) => entry.msg)).toEqual(['not json is skipped', 'fake ready', 'stopped']);
      expect(await fake.stop()).toEqual({ code: 0, signal: null });
    } finally {
      delete process.env['LEAK'];
    }
  });

  it('throws with the stderr when the process exits before it is ready', async () => {
    await expect(startServiceProcess('fake', main, { FAIL: 'PORT is bad' })).rejects.toThrow(
      /fake exited before logging the expected line\nfake: exit 78\nFAIL: PORT is bad/,
    );
  });

  it('kills the process and throws when it is not ready in time', async () => {
    await expect(startServiceProcess('other', main, {}, 500)).rejects.toThrow(
      /other did not log the expected line in 500 ms/,
    );
  });
});

describe('spawnServiceProcess', () => {
  it('kill() ends it with SIGKILL, no shutdown hook', async () => {
    const fake = spawnServiceProcess('fake', main, {});
    await fake.logged((entry) => entry.msg === 'fake ready');
    expect(await fake.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(fake.logs.at(-1)?.msg).toBe('fake ready');
  });
});
