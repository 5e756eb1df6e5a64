// The Kafka launcher for real: fetch (cached), start, a topic created and listed with Kafka's own
// CLI, reuse, stop. Needs Java 17+ and Maven (or jars already in the cache). Every broker started
// here is killed by pid in afterAll, also when a case fails.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, 'kafka.mjs');
const work = mkdtempSync(join(tmpdir(), 'kafka-spec-'));
const stateFile = join(work, 'state.json');
const env = { ...process.env, KAFKA_STATE_FILE: stateFile };
const startedPids = new Set();

/** Runs kafka.mjs; resolves with its exit code, stdout and stderr (never rejects on exit code). */
async function launcher(args, extraEnv = env) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, ...args], {
      env: extraEnv,
      timeout: 240_000,
    });
    return { code: 0, stdout: stdout.trim(), stderr };
  } catch (error) {
    return { code: error.code ?? 1, stdout: `${error.stdout ?? ''}`.trim(), stderr: `${error.stderr ?? ''}` };
  }
}

function readState() {
  return JSON.parse(readFileSync(stateFile, 'utf8'));
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function topicCommand(state, args) {
  return spawnSync(
    state.java,
    [
      '-cp',
      join(state.libs, '*'),
      'org.apache.kafka.tools.TopicCommand',
      '--bootstrap-server',
      state.bootstrap,
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
}

afterAll(async () => {
  for (const pid of startedPids) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (existsSync(stateFile)) rmSync(readState().dir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('kafka.mjs', () => {
  it('starts a broker that answers, reuses it, and stops it', { timeout: 300_000 }, async () => {
    const started = await launcher(['start']);
    if (existsSync(stateFile)) startedPids.add(readState().pid);
    expect(started, started.stderr).toMatchObject({ code: 0 });
    expect(started.stdout).toMatch(/^127\.0\.0\.1:\d+$/);
    const state = readState();
    expect(state.bootstrap).toBe(started.stdout);

    const created = topicCommand(state, [
      '--create',
      '--topic',
      'spec-topic',
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    ]);
    expect(created.status, created.stderr).toBe(0);
    const listed = topicCommand(state, ['--list']);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')).toContain('spec-topic');

    const again = await launcher(['start']);
    expect(again).toMatchObject({ code: 0, stdout: started.stdout });
    expect(readState().pid).toBe(state.pid);
    expect(await launcher(['status'])).toMatchObject({ code: 0, stdout: started.stdout });

    const stopped = await launcher(['stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(isAlive(state.pid)).toBe(false);
    expect(existsSync(state.dir)).toBe(false);
    expect(existsSync(stateFile)).toBe(false);
    expect(await launcher(['status'])).toMatchObject({ code: 1 });
  });

  it(
    'stop --keep keeps the data for the next start; stop then removes it and says so',
    { timeout: 300_000 },
    async () => {
      const started = await launcher(['start']);
      if (existsSync(stateFile)) startedPids.add(readState().pid);
      expect(started, started.stderr).toMatchObject({ code: 0 });
      const { pid, dir } = readState();

      const kept = await launcher(['stop', '--keep']);
      expect(kept.code, kept.stderr).toBe(0);
      expect(kept.stderr).toContain(`kafka.mjs: pid ${pid} `); // stopped (or killed after the bound)
      expect(kept.stderr).toContain(`; kept ${dir} (start resumes it)`);
      expect(isAlive(pid)).toBe(false);
      expect(readState()).toMatchObject({ stopped: true, dir });

      // `npm run dev -- --reset` on a kept broker: no pid to name (it said "pid undefined").
      const removed = await launcher(['stop']);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stderr.trim()).toBe(
        `kafka.mjs: Kafka was already stopped (with --keep); removed ${dir}`,
      );
      expect(existsSync(dir)).toBe(false);
      expect(existsSync(stateFile)).toBe(false);
    },
  );

  it(
    'starts a kept broker again with its settings of today: one written with a 128 MB cleaner buffer runs on a 128 MB heap',
    { timeout: 300_000 },
    async () => {
      const started = await launcher(['start']);
      if (existsSync(stateFile)) startedPids.add(readState().pid);
      expect(started, started.stderr).toMatchObject({ code: 0 });
      const kept = await launcher(['stop', '--keep']);
      expect(kept.code, kept.stderr).toBe(0);
      const { configFile, port } = readState();
      // The kept configuration as an earlier launcher wrote it: Kafka's default cleaner buffer,
      // allocated whole at start, which a 128 MB heap cannot hold (OutOfMemoryError in LogManager).
      const earlier = readFileSync(configFile, 'utf8').replace(
        /^log\.cleaner\.dedupe\.buffer\.size=.*\n/m,
        '',
      );
      writeFileSync(configFile, `${earlier}log.cleaner.dedupe.buffer.size=134217728\n`);

      const resumed = await launcher(['start'], { ...env, KAFKA_HEAP_MB: '128' });
      if (existsSync(stateFile)) startedPids.add(readState().pid);
      expect(resumed, resumed.stderr).toMatchObject({ code: 0, stdout: `127.0.0.1:${port}` });
      expect(readFileSync(configFile, 'utf8')).toMatch(/^log\.cleaner\.dedupe\.buffer\.size=16777216$/m);
      const stopped = await launcher(['stop']);
      expect(stopped.code, stopped.stderr).toBe(0);
    },
  );

  it('names what to install when java is missing', async () => {
    const emptyPath = mkdtempSync(join(work, 'path-'));
    const result = await launcher(['start'], { ...env, PATH: emptyPath, JAVA_HOME: '' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/Java 17\+ not found.*install a JDK or JRE 17\+/);
  });

  it('names what to install when Maven is missing and the jars are not cached', async () => {
    const javaOnly = mkdtempSync(join(work, 'path-'));
    const java = spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(java, join(javaOnly, 'java'));
    const result = await launcher(['start'], {
      ...env,
      PATH: javaOnly,
      JAVA_HOME: '',
      KAFKA_CACHE_DIR: join(work, 'empty-cache'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/Maven not found.*install it/);
  });
});
