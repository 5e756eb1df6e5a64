import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLevel } from './kafka-log-level.js';

describe('kafkaLogLevel', () => {
  // Lines kafkajs 2.2 writes at ERROR for one attempt of something it retries (its sources:
  // network/connection.js, consumer/index.js, consumer/runner.js, producer/sendMessages.js,
  // cluster/brokerPool.js). The outcome reaches libs/events, which reports it once.
  it.each([
    'Response GroupCoordinator(key: 10, version: 2)',
    'Response JoinGroup(key: 11, version: 5)',
    'Connection error: write after end',
    'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    'Connection timeout',
    'Failed to connect to seed broker, trying another broker from the list: Connection timeout',
    'Failed to send messages: This server does not host this topic-partition',
    "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests",
    'Restarting the consumer in 300ms',
    'The coordinator is not aware of this member, re-joining the group',
  ])('keeps "%s" at debug', (message) => {
    expect(kafkaLogLevel(logLevel.ERROR, message)).toBe('debug');
  });

  it('keeps what a person must act on at its level', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'Failed to execute listener: boom')).toBe('error');
    expect(kafkaLogLevel(logLevel.ERROR, 'Caught error when disconnecting the consumer: x')).toBe('error');
    expect(kafkaLogLevel(logLevel.WARN, 'The group is rebalancing, re-joining')).toBe('warn');
    expect(kafkaLogLevel(logLevel.INFO, 'Starting')).toBe('info');
  });

  it('quiets the idempotent producer warning that does not apply', () => {
    expect(
      kafkaLogLevel(logLevel.WARN, 'Limiting retries for the idempotent producer. Please ensure your...'),
    ).toBe('debug');
  });
});
