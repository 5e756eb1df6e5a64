import { createLogger } from '@platform/observability';
import {
  KafkaJSConnectionError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { ConsumerCrashReport } from './consumer-crash-report.js';

type Line = { level: string; msg: string; error?: string; err?: { message: string } };

function report() {
  const lines: Line[] = [];
  const logger = createLogger({
    name: 'crash-test',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
  });
  const fatal: Error[] = [];
  const restarts: number[] = [];
  const crashes = new ConsumerCrashReport({
    logger,
    group: 'g',
    onFatal: (error) => fatal.push(error),
    restart: () => restarts.push(Date.now()),
    restartDelayMs: 20,
  });
  return { lines, fatal, restarts, crashes };
}

// kafkajs's own errors, built as its broker responses and retrier build them: the protocol error
// of a coordinator still loading (retriable: what a fresh broker answers), the same once its
// retries ran out, and a non-retriable one wrapped as kafkajs's retrier rejects with it.
const protocolError = (fields: { type: string; code: number; retriable: boolean; message: string }) =>
  new KafkaJSProtocolError(Object.assign(new Error(fields.message), fields));
const loading = protocolError({
  type: 'COORDINATOR_LOAD_IN_PROGRESS',
  code: 14,
  retriable: true,
  message: "The coordinator is loading and hence can't process requests",
});
const invalidSession = protocolError({
  type: 'INVALID_SESSION_TIMEOUT',
  code: 26,
  retriable: false,
  message: 'The session timeout is not within the range allowed by the broker',
});
const NonRetriable = KafkaJSNonRetriableError as unknown as new (
  error: Error,
  metadata: { cause: Error },
) => KafkaJSNonRetriableError;

describe('ConsumerCrashReport', () => {
  describe('a crash kafkajs restarts from', () => {
    it('is one warning in plain words, not an error, and never fatal', () => {
      const { lines, fatal, crashes } = report();
      const exhausted = new KafkaJSNumberOfRetriesExceeded(loading, { retryCount: 8, retryTime: 3000 });
      crashes.crashed({ error: exhausted, restart: true }, false);
      crashes.crashed({ error: loading, restart: true }, false);
      expect(fatal).toEqual([]);
      expect(lines.map((line) => [line.level, line.msg, line.error])).toEqual([
        [
          'warn',
          'event consumer restarting after a transient Kafka error',
          "The coordinator is loading and hence can't process requests",
        ],
        ['debug', 'event consumer restarting after a transient Kafka error', loading.message],
      ]);
    });

    it('says once at info that the consumer runs again when it rejoined its group', () => {
      const { lines, crashes } = report();
      crashes.joined();
      crashes.crashed({ error: loading, restart: true }, false);
      crashes.joined();
      crashes.joined();
      crashes.crashed({ error: loading, restart: true }, false);
      expect(lines.map((line) => [line.level, line.msg])).toEqual([
        ['warn', 'event consumer restarting after a transient Kafka error'],
        ['info', 'event consumer running again'],
        ['warn', 'event consumer restarting after a transient Kafka error'],
      ]);
    });
  });

  describe('a transient crash kafkajs does not restart from', () => {
    // What kafkajs throws when a broker that just restarted has no coordinator for the group yet:
    // non-retriable to kafkajs, so it leaves the consumer stopped.
    // (kafkajs's types declare its constructor without arguments; kafkajs passes the message.)
    const coordinatorNotFound = new (
      KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error
    )('Failed to find group coordinator');

    it('restarts the consumer itself after a delay, logged once at warn, never fatal', async () => {
      const { lines, fatal, restarts, crashes } = report();
      crashes.crashed({ error: coordinatorNotFound, restart: false }, false);
      expect(restarts).toEqual([]);
      await vi.waitFor(() => expect(restarts).toHaveLength(1));
      const wrapped = new NonRetriable(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'), {
        cause: new KafkaJSConnectionError('Connection error: connect ECONNREFUSED'),
      });
      crashes.crashed({ error: wrapped, restart: false }, false);
      await vi.waitFor(() => expect(restarts).toHaveLength(2));
      expect(fatal).toEqual([]);
      expect(lines.map((line) => [line.level, line.msg, line.error])).toEqual([
        [
          'warn',
          'event consumer restarting after a transient Kafka error',
          'Failed to find group coordinator',
        ],
        [
          'debug',
          'event consumer restarting after a transient Kafka error',
          'Connection error: connect ECONNREFUSED',
        ],
      ]);
    });

    it('waits longer after each failed restart until the consumer joins its group again', () => {
      const { lines, crashes } = report();
      const delays = () => lines.map((line) => (line as Line & { delayMs?: number }).delayMs ?? 0);
      for (let i = 0; i < 4; i++) crashes.crashed({ error: coordinatorNotFound, restart: false }, false);
      crashes.joined();
      crashes.crashed({ error: coordinatorNotFound, restart: false }, false);
      crashes.cancel();
      // 20 ms doubling, each jittered within its upper half: [10,20], [20,40], [40,80], [80,160].
      const [first, second, third, fourth, afterJoin] = delays();
      expect(first).toBeLessThanOrEqual(20);
      expect(second).toBeGreaterThanOrEqual(20);
      expect(third).toBeGreaterThanOrEqual(40);
      expect(fourth).toBeGreaterThanOrEqual(80);
      expect(afterJoin).toBeLessThanOrEqual(20);
    });

    it('does not restart once cancelled (the consumer is stopping)', async () => {
      const { restarts, crashes } = report();
      crashes.crashed({ error: coordinatorNotFound, restart: false }, false);
      crashes.cancel();
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(restarts).toEqual([]);
    });
  });

  describe('any other crash kafkajs does not restart from', () => {
    it('is logged at error and reaches the fatal path', () => {
      const { lines, fatal, crashes } = report();
      const error = new NonRetriable(invalidSession, { cause: invalidSession });
      crashes.crashed({ error, restart: false }, false);
      expect(fatal).toEqual([error]);
      expect(lines.map((line) => [line.level, line.msg])).toEqual([['error', 'event consumer crashed']]);
      expect(lines[0]?.err?.message).toContain(invalidSession.message);
    });
  });

  it('reports nothing while the consumer is being stopped', () => {
    const { lines, fatal, crashes } = report();
    crashes.crashed({ error: invalidSession, restart: false }, true);
    expect([lines, fatal]).toEqual([[], []]);
  });
});
