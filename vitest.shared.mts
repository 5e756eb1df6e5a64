// One test runner for the whole workspace. SWC compiles TypeScript so NestJS decorators
// keep their design-time metadata (esbuild, vitest's default, drops emitDecoratorMetadata).
import { join } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { exclusions, include } from './tools/coverage.config.mjs';

// Under Nx each project also writes a JSON report, which tools/scripts/test-summary.mjs
// sums into the CI's closing line (and Nx caches with the task).
const nxProject = process.env.NX_TASK_TARGET_PROJECT;
const reportFile = nxProject && join(import.meta.dirname, 'dist', 'test-results', `${nxProject}.json`);

/**
 * V8 coverage of the same run, under Nx only (a focused `npx vitest run` stays fast): each
 * project writes dist/coverage/<project>/ (coverage-final.json, which the gate merges, and
 * HTML of what this run executed). tools/coverage.config.mjs lists what is measured and excluded.
 */
function coverageConfig(project: string | undefined): NonNullable<ViteUserConfig['test']>['coverage'] {
  if (!project) return { enabled: false };
  return {
    enabled: true,
    provider: 'v8',
    include,
    exclude: exclusions.map((exclusion) => exclusion.glob),
    // Other projects' sources (libs resolve to their TypeScript) are measured too.
    allowExternal: true,
    reporter: ['json', 'html'],
    reportsDirectory: join(import.meta.dirname, 'dist', 'coverage', project),
    // A failing suite still reports its coverage; the failure itself already fails the run.
    reportOnFailure: true,
  };
}

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
      // Hang guards, not measures: a test's waits end on readiness (a ready line, a health
      // answer, a poll) or on the protocol's own timers, so these only stop a test that hangs.
      // They sit far above what starting a service takes with both cores busy (PGlite's first
      // start in a worker took 20 s and a stack's 60 s on a loaded 2-core runner).
      testTimeout: 180_000,
      hookTimeout: 300_000,
      // expect.poll waits for a state to be reached; its 1 s default is a timing a loaded machine
      // misses (a NOTIFY round trip, a metric scrape). vi.waitFor has no such setting: its
      // callers pass a limit.
      expect: { poll: { timeout: 30_000 } },
      coverage: coverageConfig(nxProject),
      ...overrides,
    },
  });
}
