import { createRequire } from 'node:module';

/** The members of kafkajs's per-connection RequestQueue (2.2.4) that the fix reads. */
interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
}

interface RequestQueueClass {
  prototype: RequestQueueState & { scheduleCheckPendingRequests(): void };
}

const fixed = Symbol.for('platform.kafkajs.idle-request-queue');

/**
 * Stops kafkajs 2.2.4's idle spin: after every request and response each broker connection's
 * RequestQueue schedules a check of its pending requests, also when none is pending and nothing
 * throttles it, with a negative delay (1 ms) that schedules the next: a thousand wake-ups a second
 * per connection, ~5% of a core for an idle service (tulios/kafkajs#1556, #1704; the fix proposed
 * there is unreleased). The check is skipped only then: a request queued behind a throttle or the
 * in-flight limit still schedules it, and a response still runs it. Applied once per process, on
 * the class (every client of the process shares it); throws if kafkajs changed shape.
 */
export function fixIdleRequestQueue(): void {
  const require = createRequire(import.meta.url);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
  const proto = RequestQueue.prototype as RequestQueueClass['prototype'] & { [fixed]?: true };
  if (proto[fixed]) return;
  const schedule = proto.scheduleCheckPendingRequests;
  if (typeof schedule !== 'function')
    throw new Error('kafkajs RequestQueue has no scheduleCheckPendingRequests: review idle-request-queue.ts');
  proto.scheduleCheckPendingRequests = function (this: RequestQueueState) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  proto[fixed] = true;
}
