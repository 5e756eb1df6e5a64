/**
 * The broker the test run started (`npm test` starts one with tools/kafka and sets
 * TEST_KAFKA_BROKERS). Throws a clear error when a suite that needs Kafka runs without it.
 */
export function testKafkaBrokers(): string[] {
  const brokers = process.env['TEST_KAFKA_BROKERS'];
  if (!brokers) {
    throw new Error(
      'TEST_KAFKA_BROKERS is not set: run the tests with `npm test`, or start a broker with `node tools/kafka/kafka.mjs start` and export TEST_KAFKA_BROKERS=<the address it prints>',
    );
  }
  return brokers.split(',').map((broker) => broker.trim());
}
