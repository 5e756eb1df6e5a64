import { defineProjectTestConfig } from '../vitest.shared.mts';

// kafka/ starts a real broker (Java 17+, Kafka jars fetched with Maven on first use).
export default defineProjectTestConfig({
  include: ['scripts/**/*.spec.ts', 'scripts/**/*.spec.mjs', 'kafka/**/*.spec.mjs'],
  hookTimeout: 120_000,
});
