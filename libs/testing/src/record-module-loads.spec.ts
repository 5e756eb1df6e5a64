import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { recordModuleLoads } from './record-module-loads.js';

describe('recordModuleLoads', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('records a module that a natively loaded module imports dynamically', async () => {
    // Under node_modules, so vitest leaves the module to Node as it does a dependency.
    const root = await mkdtemp(join(tmpdir(), 'module-loads-'));
    dirs.push(root);
    const dir = join(root, 'node_modules', 'lazy-probe');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'lazy.mjs'), 'export const value = 42;\n');
    await writeFile(join(dir, 'entry.mjs'), "export const load = () => import('./lazy.mjs');\n");
    const recorder = recordModuleLoads();
    const entry = (await import(/* @vite-ignore */ pathToFileURL(join(dir, 'entry.mjs')).href)) as {
      load(): Promise<{ value: number }>;
    };
    expect((await recorder.urls()).some((url) => url.endsWith('/lazy.mjs'))).toBe(false);
    expect((await entry.load()).value).toBe(42);
    expect(await recorder.urlsOfPackage('lazy-probe')).toEqual(
      ['entry.mjs', 'lazy.mjs'].map((file) => pathToFileURL(join(dir, file)).href),
    );
  });
});
