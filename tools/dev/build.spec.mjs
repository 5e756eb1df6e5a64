// The build's progress as dev shows it, read from lines Nx 23 prints with --output-style=stream.
import { describe, expect, it } from 'vitest';
import { failedOutput, formatTask, nxProgress } from './build.mjs';

describe('nxProgress', () => {
  it('names each task as Nx starts it, counted against the run, and whether it came from the cache', () => {
    const progress = nxProgress();
    const output = [
      '',
      ' NX   Running target build for 3 projects and 10 tasks they depend on:',
      '',
      '- user-service',
      '',
      '> nx run config:build  [local cache]',
      '> tsc -p tsconfig.lib.json',
      '> nx run proto:generate  [existing outputs match the cache, left as is]',
      '> nx run events:build',
      'events: > tsc -p tsconfig.lib.json',
      '> nx run grpc:build  [remote cache]',
    ];
    const started = output.map((line) => progress.line(line)).filter(Boolean);
    expect(started.map(formatTask)).toEqual([
      '[ 1/13] config:build (from cache)',
      '[ 2/13] proto:generate (from cache)',
      '[ 3/13] events:build …',
      '[ 4/13] grpc:build (from cache)',
    ]);
    expect(progress.summary()).toEqual({ total: 13, started: 4, cached: 3, failed: [] });
  });

  it('reads a run of one project, and the failed tasks Nx lists at the end', () => {
    const progress = nxProgress();
    for (const line of [
      ' NX   Running target build for project config:',
      '> nx run config:build',
      'config: src/index.ts(1,1): error TS1005: ; expected.',
      ' NX   Running target build for project config failed',
      '   Failed tasks:',
      '',
      '   - config:build',
    ]) {
      progress.line(line);
    }
    expect(progress.summary()).toEqual({ total: 1, started: 1, cached: 0, failed: ['config:build'] });
  });

  it('ignores colour codes', () => {
    const started = nxProgress().line('> \x1b[2mnx run\x1b[22m config:build  \x1b[2m[local cache]\x1b[22m');
    expect(started).toEqual({ task: 'config:build', fromCache: true, index: 1, total: undefined });
  });
});

describe('failedOutput', () => {
  it("shows the failed tasks' lines (Nx prefixes them with the project), else the end of the output", () => {
    const output = [
      '> nx run grpc:build',
      'grpc: > tsc -p tsconfig.lib.json',
      '> nx run events:build',
      'events: > tsc -p tsconfig.lib.json',
      'events: src/index.ts(3,1): error TS2304: Cannot find name x.',
      ' NX   Running target build for 3 projects failed',
    ].join('\n');
    expect(failedOutput(output, ['events:build'])).toEqual([
      'events: > tsc -p tsconfig.lib.json',
      'events: src/index.ts(3,1): error TS2304: Cannot find name x.',
    ]);
    expect(failedOutput(output, [], 2)).toEqual([
      'events: src/index.ts(3,1): error TS2304: Cannot find name x.',
      ' NX   Running target build for 3 projects failed',
    ]);
  });
});
