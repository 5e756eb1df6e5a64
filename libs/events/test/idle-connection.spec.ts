// A kafkajs client the event layer makes, connected to the real test broker and left idle, checks
// its request queues only when there is something to check (kafkajs 2.2.4 alone re-checked each
// connection's queue every millisecond: idle-request-queue.ts).
import { testKafkaBrokers } from '@platform/testing';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafka } from '../src/kafka/kafka-connection.js';

const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as {
  prototype: { checkPendingRequests(): void };
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('an idle Kafka connection', () => {
  it('checks its request queue only when asked (no 1 ms loop after its last response)', async () => {
    const producer = createKafka({ brokers: testKafkaBrokers(), clientId: 'idle-spec' }).producer();
    const check = RequestQueue.prototype.checkPendingRequests;
    let checks = 0;
    RequestQueue.prototype.checkPendingRequests = function (this: unknown) {
      checks += 1;
      check.call(this);
    };
    cleanup = async () => {
      RequestQueue.prototype.checkPendingRequests = check;
      await producer.disconnect();
    };
    await producer.connect();
    const afterConnect = checks;
    // Idle for a while: each check used to schedule the next one 1 ms later (hundreds here).
    await sleep(500);
    expect(checks - afterConnect).toBeLessThan(5);
  });
});
