// One test runner for the whole workspace. SWC compiles TypeScript so NestJS decorators
// keep their design-time metadata (esbuild, vitest's default, drops emitDecoratorMetadata).
import { join } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

// Under Nx each project also writes a JSON report, which tools/scripts/test-summary.mjs
// sums into the CI's closing line (and Nx caches with the task).
const nxProject = process.env.NX_TASK_TARGET_PROJECT;
const reportFile = nxProject && join(import.meta.dirname, 'dist', 'test-results', `${nxProject}.json`);

export function defineProjectTestConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    plugins: [
      swc.vite({
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
        },
      }),
    ],
    resolve: {
      // Workspace libs resolve to their TypeScript sources, so tests never need a build.
      conditions: ['@platform/source'],
    },
    ssr: { resolve: { conditions: ['@platform/source'] } },
    test: {
      environment: 'node',
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      reporters: reportFile ? ['default', 'json'] : ['default'],
      outputFile: reportFile ? { json: reportFile } : undefined,
      testTimeout: 20_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
