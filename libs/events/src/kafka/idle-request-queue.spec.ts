// The fix of kafkajs's idle spin on its real RequestQueue class: an idle queue schedules no check,
// a request queued behind a throttle is still sent when the throttle ends.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fixIdleRequestQueue } from './idle-request-queue.js';

interface Queue {
  throttledUntil: number;
  throttleCheckTimeoutId: unknown;
  pending: unknown[];
  checkPendingRequests(): void;
  push(request: object): void;
  destroy(): void;
}

const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (
  options: object,
) => Queue;
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

function queue(): Queue {
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: '127.0.0.1:9092',
    logger: quiet,
  });
}

describe('fixIdleRequestQueue', () => {
  it('leaves an idle queue without a scheduled check (kafkajs 2.2.4 schedules one, 1 ms ahead, forever)', () => {
    const unfixed = queue();
    unfixed.checkPendingRequests();
    // The defect this fixes: without it, an idle queue re-arms a check after every check.
    const armedBefore = unfixed.throttleCheckTimeoutId !== null;
    unfixed.destroy();

    fixIdleRequestQueue();
    const idle = queue();
    idle.checkPendingRequests();
    expect({ armedBefore, armedAfter: idle.throttleCheckTimeoutId !== null }).toEqual({
      armedBefore: true,
      armedAfter: false,
    });
    idle.destroy();
  });

  it('is applied once however often it is called', () => {
    fixIdleRequestQueue();
    const once = Object.getPrototypeOf(queue()).scheduleCheckPendingRequests;
    fixIdleRequestQueue();
    expect(Object.getPrototypeOf(queue()).scheduleCheckPendingRequests).toBe(once);
  });

  it('still sends a request queued behind a throttle once the throttle ends', async () => {
    fixIdleRequestQueue();
    const throttled = queue();
    throttled.throttledUntil = Date.now() + 30;
    let sent = 0;
    let send = () => undefined as void;
    const wasSent = new Promise<void>((resolve) => (send = resolve));
    throttled.push({
      entry: {
        correlationId: 1,
        apiKey: 3,
        apiName: 'Metadata',
        apiVersion: 6,
        resolve: () => undefined,
        reject: () => undefined,
      },
      expectResponse: false,
      sendRequest: () => {
        sent += 1;
        send();
      },
    });
    expect({
      sent,
      pending: throttled.pending.length,
      armed: throttled.throttleCheckTimeoutId !== null,
    }).toEqual({
      sent: 0,
      pending: 1,
      armed: true,
    });
    await wasSent;
    expect(sent).toBe(1);
    expect(throttled.pending).toHaveLength(0);
    expect(throttled.throttleCheckTimeoutId).toBeNull();
    throttled.destroy();
  });
});
