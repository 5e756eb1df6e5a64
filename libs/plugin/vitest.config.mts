import { defineProjectTestConfig } from '../../vitest.shared.mts';

// test/ runs the generator on a scratch copy of the workspace and builds and tests what it
// generated: minutes, not seconds, hence its own hang guard.
export default defineProjectTestConfig({
  include: ['src/**/*.spec.mjs', 'test/**/*.spec.mjs'],
  testTimeout: 900_000,
});
