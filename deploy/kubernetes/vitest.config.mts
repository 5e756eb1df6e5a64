import { defineProjectTestConfig } from '../../vitest.shared.mts';

// The chart's suite: helm and kube-apiserver are built once into ~/.cache (tools/helm,
// tools/kube); on a fresh machine that build (started early by `npm test`) takes about ten
// minutes, which the setup hook waits for. It is a bound on a one-time build, not a measure.
export default defineProjectTestConfig({
  include: ['test/**/*.spec.mjs'],
  hookTimeout: 45 * 60_000,
});
