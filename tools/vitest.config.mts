import { defineProjectTestConfig } from '../vitest.shared.mts';

// kafka/ starts a real broker (Java 17+, Kafka jars fetched with Maven on first use); events/
// (the dead-letter replay tool) needs one in TEST_KAFKA_BROKERS, as `npm test` sets; dev/ runs
// real processes (npm, stand-in apps).
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
