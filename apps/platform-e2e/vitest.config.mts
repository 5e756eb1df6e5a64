import { defineProjectTestConfig } from '../../vitest.shared.mts';

// Each suite runs processes and a broker of its own: one file at a time keeps the machine's
// two cores for them.
export default defineProjectTestConfig({ fileParallelism: false, testTimeout: 240_000 });
