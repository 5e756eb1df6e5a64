import { defineConfig } from '@platform/config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runService, type ServiceProcess } from './run-service.js';

const exits: number[] = [];

afterEach(() => {
  vi.restoreAllMocks();
  exits.length = 0;
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
});

/** process.exit recorded instead of taken, so the control flow of a service's main can be checked. */
function recordExits(): Promise<number> {
  return new Promise((resolve) => {
    vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      exits.push(code ?? 0);
      resolve(code ?? 0);
      return undefined as never;
    }) as typeof process.exit);
  });
}

describe('runService', () => {
  it('stops the service gracefully and exits 1 when a part reports a fatal error', async () => {
    const exited = recordExits();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stopped: string[] = [];
    let hooks: ServiceProcess | undefined;
    await runService({
      name: 'fatal-test',
      config: defineConfig({}),
      async start(_config, _logger, process) {
        hooks = process;
        return { stop: async () => stopped.push('stopped') };
      },
    });
    hooks?.fatal(new Error('the consumer crashed and will not be restarted'));
    expect(await exited).toBe(1);
    expect(stopped).toEqual(['stopped']);
  });

  it('exits 0 after a graceful stop on SIGTERM', async () => {
    const exited = recordExits();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stopped: string[] = [];
    await runService({
      name: 'sigterm-test',
      config: defineConfig({}),
      start: async () => ({ stop: async () => stopped.push('stopped') }),
    });
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(0);
    expect(stopped).toEqual(['stopped']);
  });

  it('stops the service once started when SIGTERM arrives during start', async () => {
    const exited = recordExits();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const steps: string[] = [];
    let finishStart: (() => void) | undefined;
    const running = runService({
      name: 'early-sigterm-test',
      config: defineConfig({}),
      async start() {
        steps.push('starting');
        await new Promise<void>((resolve) => (finishStart = resolve));
        steps.push('ready');
        return { stop: async () => steps.push('stopped') };
      },
    });
    await vi.waitFor(() => expect(finishStart).toBeDefined());
    process.emit('SIGTERM', 'SIGTERM');
    expect(steps).toEqual(['starting']);
    finishStart?.();
    await running;
    expect(await exited).toBe(0);
    expect(steps).toEqual(['starting', 'ready', 'stopped']);
  });

  it('exits 1 when start fails, also with a signal pending', async () => {
    const exited = recordExits();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let failStart: (() => void) | undefined;
    const running = runService({
      name: 'failed-start-test',
      config: defineConfig({}),
      async start(): Promise<{ stop(): Promise<void> }> {
        await new Promise<void>((resolve) => (failStart = resolve));
        throw new Error('the database refused the migration');
      },
    });
    await vi.waitFor(() => expect(failStart).toBeDefined());
    process.emit('SIGTERM', 'SIGTERM');
    failStart?.();
    await running;
    expect(await exited).toBe(1);
    expect(exits).toEqual([1]);
  });
});
