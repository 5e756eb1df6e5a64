import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryHeaders } from './dead-letter-headers.js';
import { FetchLoop, type FetchedBatch, type PartitionControl } from './fetch-loop.js';
import type { IncomingRecord } from './incoming-record.js';

afterEach(() => vi.useRealTimers());

/** A kafkajs consumer's partition calls, recorded. */
function partitionControl() {
  const calls: string[] = [];
  const consumer: PartitionControl = {
    pause: (topics) => void calls.push(`pause ${JSON.stringify(topics)}`),
    resume: (topics) => void calls.push(`resume ${JSON.stringify(topics)}`),
    seek: ({ topic, partition, offset }) => void calls.push(`seek ${topic}/${partition}@${offset}`),
  };
  return { consumer, calls };
}

/** A batch of `offsets` on `topic` partition 0 (high watermark 10), and what the loop did with it. */
function batchOf(topic: string, records: { offset: string; headers?: Record<string, string> }[]) {
  const done: string[] = [];
  const payload: FetchedBatch = {
    batch: {
      topic,
      partition: 0,
      highWatermark: '10',
      messages: records.map(({ offset, headers = {} }) => ({
        key: Buffer.from('k'),
        value: Buffer.from('v'),
        offset,
        headers: Object.fromEntries(
          Object.entries(headers).map(([name, value]) => [name, Buffer.from(value)]),
        ),
      })),
    },
    resolveOffset: (offset) => void done.push(`resolve ${offset}`),
    heartbeat: async () => void done.push('heartbeat'),
    commitOffsetsIfNecessary: async () => void done.push('commit'),
    isRunning: () => true,
    isStale: () => false,
  };
  return { payload, done };
}

function loop(
  process: (incoming: IncomingRecord) => Promise<boolean>,
  stopping = new AbortController().signal,
) {
  const { consumer, calls } = partitionControl();
  const lags: [string, number, number][] = [];
  const fetchLoop = new FetchLoop({
    consumer,
    retryTopics: new Set(['orders.g.retry']),
    process,
    stopping,
    lag: (topic, partition, lag) => void lags.push([topic, partition, lag]),
  });
  return { fetchLoop, calls, lags };
}

describe('FetchLoop', () => {
  it('processes records in order, resolving each offset after it with a heartbeat, then commits', async () => {
    const seen: IncomingRecord[] = [];
    const { fetchLoop, lags } = loop(async (incoming) => {
      seen.push(incoming);
      return true;
    });
    const { payload, done } = batchOf('orders', [{ offset: '3', headers: { ce_id: 'a' } }, { offset: '4' }]);
    await fetchLoop.eachBatch(payload);
    expect(seen.map((incoming) => [incoming.topic, incoming.partition, incoming.message.offset])).toEqual([
      ['orders', 0, '3'],
      ['orders', 0, '4'],
    ]);
    expect(seen[0]?.headers).toEqual({ ce_id: 'a' });
    expect(done).toEqual(['resolve 3', 'heartbeat', 'resolve 4', 'heartbeat', 'commit']);
    expect(lags).toEqual([['orders', 0, 5]]);
  });

  it('leaves a record its processing gave up on, and the rest of the batch, unresolved', async () => {
    const { fetchLoop, lags } = loop(async (incoming) => incoming.message.offset !== '4');
    const { payload, done } = batchOf('orders', [{ offset: '3' }, { offset: '4' }, { offset: '5' }]);
    await fetchLoop.eachBatch(payload);
    expect(done).toEqual(['resolve 3', 'heartbeat', 'commit']);
    expect(lags).toEqual([['orders', 0, 6]]);
  });

  it('starts no record once the consumer stops', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const { fetchLoop, lags } = loop(async (incoming) => {
      seen.push(incoming.message.offset);
      stop.abort();
      return true;
    }, stop.signal);
    const { payload, done } = batchOf('orders', [{ offset: '3' }, { offset: '4' }]);
    await fetchLoop.eachBatch(payload);
    expect(seen).toEqual(['3']);
    expect(done).toEqual(['resolve 3', 'heartbeat', 'commit']);
    expect(lags).toEqual([['orders', 0, 6]]);
  });

  it('records no lag for a batch it resolved nothing of', async () => {
    const { fetchLoop, lags } = loop(async () => false);
    await fetchLoop.eachBatch(batchOf('orders', [{ offset: '3' }]).payload);
    expect(lags).toEqual([]);
  });

  it('holds a retry partition at a record not yet due, and resumes it when due', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const seen: string[] = [];
    const { fetchLoop, calls } = loop(async (incoming) => {
      seen.push(incoming.message.offset);
      return true;
    });
    const { payload, done } = batchOf('orders.g.retry', [
      { offset: '0', headers: { [retryHeaders.due]: '999000' } },
      { offset: '1', headers: { [retryHeaders.due]: '1005000' } },
      { offset: '2', headers: { [retryHeaders.due]: '1006000' } },
    ]);
    await fetchLoop.eachBatch(payload);
    const partition = JSON.stringify([{ topic: 'orders.g.retry', partitions: [0] }]);
    expect(seen).toEqual(['0']);
    expect(done).toEqual(['resolve 0', 'heartbeat', 'commit']);
    expect(calls).toEqual([`pause ${partition}`, 'seek orders.g.retry/0@1']);

    vi.advanceTimersByTime(4_999);
    expect(calls).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([`pause ${partition}`, 'seek orders.g.retry/0@1', `resume ${partition}`]);
  });

  it('does not hold records of a source topic, whatever their headers', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const seen: string[] = [];
    const { fetchLoop, calls } = loop(async (incoming) => {
      seen.push(incoming.message.offset);
      return true;
    });
    await fetchLoop.eachBatch(
      batchOf('orders', [{ offset: '0', headers: { [retryHeaders.due]: '2000000' } }]).payload,
    );
    expect(seen).toEqual(['0']);
    expect(calls).toEqual([]);
  });

  it('cancels pending resumes when stopped', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { fetchLoop, calls } = loop(async () => true);
    await fetchLoop.eachBatch(
      batchOf('orders.g.retry', [{ offset: '0', headers: { [retryHeaders.due]: '1005000' } }]).payload,
    );
    fetchLoop.stop();
    vi.advanceTimersByTime(10_000);
    expect(calls.filter((call) => call.startsWith('resume'))).toEqual([]);
  });
});
