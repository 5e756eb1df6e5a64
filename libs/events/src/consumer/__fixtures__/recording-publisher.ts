import type { EventPublisher, OutgoingRecord } from '../../kafka/event-publisher.js';

/** An {@link EventPublisher} that keeps what it is given; `fail` makes the next publishes reject. */
export function recordingPublisher() {
  const published: OutgoingRecord[] = [];
  const state = { failure: undefined as Error | undefined };
  const publisher: EventPublisher = {
    async publish(records) {
      if (state.failure) throw state.failure;
      published.push(...records);
    },
    close: () => Promise.resolve(),
  };
  return {
    publisher,
    published,
    fail(error: Error | undefined) {
      state.failure = error;
    },
  };
}
