import { defineProjectTestConfig } from '../../vitest.shared.mts';

// Each suite runs processes and a broker of its own: one file at a time keeps the machine's
// two cores for them.
// A fault case places 1,000 orders through the whole platform: about a minute on a quiet machine,
// three on a loaded one; the timeout only guards against a hang.
export default defineProjectTestConfig({ fileParallelism: false, testTimeout: 600_000 });
