/** The writable side of a server stream, as grpc-js exposes it (a Node Writable). */
export interface StreamSink {
  /** True after a write returned false, until 'drain'. */
  readonly writableNeedDrain: boolean;
  once(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/**
 * Flow control for streams of states: while the client is not reading (the sink needs to
 * drain), only the latest value per key is kept, so a slow reader costs at most one pending
 * value per key, never an unbounded buffer. Values are emitted in the order their keys were
 * last offered.
 */
export class LatestByKey<T> {
  private readonly pending = new Map<string, T>();
  private waiting = false;
  private disposed = false;
  private readonly flushedCallbacks: (() => void)[] = [];
  private readonly onDrain = () => {
    this.waiting = false;
    this.flush();
  };

  /**
   * @param emit writes a value to the stream (synchronously, so `writableNeedDrain` is current after it)
   * @param onBlocked told when values start (true) and stop (false) waiting for the reader
   */
  constructor(
    private readonly sink: StreamSink,
    private readonly emit: (value: T) => void,
    private readonly onBlocked?: (blocked: boolean) => void,
  ) {}

  /** Emits `value` now, or keeps it (replacing an older pending value of `key`) until the reader catches up. */
  offer(key: string, value: T): void {
    if (this.disposed) return;
    if (this.pending.size === 0 && !this.sink.writableNeedDrain) {
      this.emit(value);
      return;
    }
    this.pending.delete(key);
    this.pending.set(key, value);
    this.waitForDrain();
  }

  /** Values waiting for the reader. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Calls `callback` once nothing is pending (now, if nothing is). */
  whenFlushed(callback: () => void): void {
    if (this.pending.size === 0) callback();
    else this.flushedCallbacks.push(callback);
  }

  dispose(): void {
    this.disposed = true;
    this.pending.clear();
    this.flushedCallbacks.length = 0;
    this.sink.off('drain', this.onDrain);
  }

  private waitForDrain(): void {
    if (this.waiting) return;
    this.waiting = true;
    this.onBlocked?.(true);
    this.sink.once('drain', this.onDrain);
  }

  private flush(): void {
    for (const [key, value] of this.pending) {
      if (this.disposed) return;
      if (this.sink.writableNeedDrain) {
        this.waitForDrain();
        return;
      }
      this.pending.delete(key);
      this.emit(value);
    }
    this.onBlocked?.(false);
    for (const callback of this.flushedCallbacks.splice(0)) callback();
  }
}
