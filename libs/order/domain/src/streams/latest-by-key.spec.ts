import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LatestByKey, type StreamSink } from './latest-by-key.js';

/** A sink that accepts `capacity` writes, then needs a drain, as grpc-js streams do. */
class FakeSink extends EventEmitter implements StreamSink {
  writableNeedDrain = false;
  readonly written: string[] = [];
  constructor(private capacity: number) {
    super();
  }
  write(value: string): void {
    this.written.push(value);
    if (this.written.length >= this.capacity) this.writableNeedDrain = true;
  }
  drain(capacity: number): void {
    this.capacity += capacity;
    this.writableNeedDrain = this.written.length >= this.capacity;
    this.emit('drain');
  }
}

describe('LatestByKey', () => {
  it('writes at once while the reader keeps up', () => {
    const sink = new FakeSink(10);
    const gate = new LatestByKey<string>(sink, (value) => sink.write(value));
    gate.offer('a', 'a1');
    gate.offer('b', 'b1');
    expect(sink.written).toEqual(['a1', 'b1']);
    expect(gate.pendingCount).toBe(0);
  });

  describe('a reader that falls behind', () => {
    it('keeps only the latest value per key, then writes them in order of their last offer', () => {
      const sink = new FakeSink(1);
      const blocked: boolean[] = [];
      const gate = new LatestByKey<string>(
        sink,
        (value) => sink.write(value),
        (state) => blocked.push(state),
      );
      gate.offer('a', 'a1'); // written; the sink is now full
      for (let version = 2; version <= 1000; version += 1) gate.offer('a', `a${version}`);
      gate.offer('b', 'b1');
      expect(gate.pendingCount).toBe(2);
      expect(blocked).toEqual([true]);

      sink.drain(10);
      expect(sink.written).toEqual(['a1', 'a1000', 'b1']);
      expect(blocked).toEqual([true, false]);
    });

    it('tells whenFlushed once everything pending is written', () => {
      const sink = new FakeSink(1);
      const gate = new LatestByKey<string>(sink, (value) => sink.write(value));
      gate.offer('a', 'a1');
      gate.offer('a', 'a2');
      let flushed = false;
      gate.whenFlushed(() => (flushed = true));
      expect(flushed).toBe(false);
      sink.drain(1);
      expect(flushed).toBe(true);
    });

    it('writes nothing more once disposed, and stops waiting for the drain', () => {
      const sink = new FakeSink(1);
      const gate = new LatestByKey<string>(sink, (value) => sink.write(value));
      gate.offer('a', 'a1');
      gate.offer('a', 'a2');
      gate.dispose();
      expect(sink.listenerCount('drain')).toBe(0);
      sink.drain(5);
      gate.offer('a', 'a3');
      expect(sink.written).toEqual(['a1']);
    });
  });
});
