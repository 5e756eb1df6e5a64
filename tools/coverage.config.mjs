// The one place coverage is configured: what is measured, what is left out (and why), and the
// gate `npm test` applies per project. vitest.shared.mts reads it for every TypeScript project
// (a generated project included, with no edit of its own): each project's run records the
// workspace sources it executes, so a lib's code run by an app's suites counts for the lib.
// tools/scripts/coverage-report.mjs merges the runs, credits each file to the project that holds
// it and applies the gate; the Go module reports its own figures (go-test-report.mjs).

/** The release rule: a project below either figure fails `npm test`. */
export const thresholds = { lines: 80, branches: 70 };

/** Sources measured: every project's src/ under apps/ and libs/ (a project's runs reach others'). */
export const include = ['src/**/*.{ts,mts,js,mjs}', '**/{apps,libs}/**/src/**/*.{ts,mts,js,mjs}'];

/** Left out of every project's figures, each with its reason. */
export const exclusions = [
  { glob: '**/*.spec.{ts,mts,js,mjs}', reason: 'the tests themselves' },
  { glob: '**/src/gen/**', reason: 'libs/proto/src/gen: written by buf generate, never committed' },
  { glob: '**/__fixtures__/**', reason: 'fixtures and the test harnesses that start services for the tests' },
  { glob: '**/examples/**', reason: 'examples: documentation that runs, not product code' },
  { glob: '**/files/**', reason: 'libs/plugin generator templates: measured in the projects they generate' },
  { glob: '**/*.d.ts', reason: 'type declarations: no runtime code' },
  { glob: '**/{dist,node_modules}/**', reason: 'build output and installed packages' },
];

/**
 * Per-project exceptions to `thresholds`, each with the reason (the measured figure and what is
 * missing). A project not named here is gated at `thresholds`.
 */
export const overrides = {
  'platform-e2e': {
    branches: 50,
    reason:
      "measured 26 of 42 branches (62%, 2026-12-07): the demo's waiting steps (watch-until-final.ts, " +
      'stats-once-projected.ts) are covered whole by demo-steps.spec.ts on scripted services; untaken are ' +
      "demo.ts's argument and environment defaults (8 branches), which run only in `npm run demo` as a " +
      "process, and demo-scenario.ts's answers a healthy stack gives only by chance (CreateOrder without an " +
      'order, the worker confirming an order before the cancel), so its share moves from run to run.',
  },
};

/** The gate for one project: its thresholds, and the reason when they differ. */
export function projectPolicy(project) {
  const override = overrides[project] ?? {};
  return {
    lines: override.lines ?? thresholds.lines,
    branches: override.branches ?? thresholds.branches,
    reason: override.reason,
  };
}
