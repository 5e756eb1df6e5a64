import { defineProjectTestConfig } from '../vitest.shared.mts';

// kafka/ starts a real broker (Java 17+, Kafka jars fetched with Maven on first use); events/
// (the dead-letter replay tool) needs one in TEST_KAFKA_BROKERS, as `npm test` sets; dev/ runs
// real processes (npm, stand-in apps) and footprint.spec.mjs the dev stack's apps from their builds
// (the test target builds them first) on a PostgreSQL of its own.
export default defineProjectTestConfig({
  include: [
    'scripts/**/*.spec.ts',
    'scripts/**/*.spec.mjs',
    'kafka/**/*.spec.mjs',
    'dev/**/*.spec.mjs',
    'events/**/*.spec.ts',
    'compose/**/*.spec.ts',
  ],
});
