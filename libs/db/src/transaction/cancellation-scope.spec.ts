import { afterEach, describe, expect, it, vi } from 'vitest';
import { CancellationScope } from './cancellation-scope.js';

afterEach(() => vi.useRealTimers());

describe('CancellationScope', () => {
  it('stops at its deadline even when its timer fires before the wall clock gets there', () => {
    vi.useFakeTimers();
    const scope = new CancellationScope(undefined, 50);
    // Nobody polls a transaction's scope: it is awaited, so only its timer can stop it.
    const stopped = vi.fn();
    scope.onStop(stopped);
    // The wall clock lags the timers' monotonic clock by 5 ms (a clock step, a rounded budget).
    vi.setSystemTime(Date.now() - 5);
    vi.advanceTimersByTime(50);
    expect(stopped).not.toHaveBeenCalled();

    vi.advanceTimersByTime(5);
    expect(stopped).toHaveBeenCalledOnce();
    expect(scope.stopped).toMatchObject({ kind: 'timeout' });
    scope.dispose();
  });

  it('stops at once with kind aborted when its signal aborts', () => {
    const controller = new AbortController();
    const scope = new CancellationScope(controller.signal, Number.POSITIVE_INFINITY);
    const stopped = vi.fn();
    scope.onStop(stopped);
    controller.abort('client cancelled');
    expect(stopped).toHaveBeenCalledOnce();
    expect(scope.stopped).toMatchObject({
      kind: 'aborted',
      message: 'transaction cancelled: client cancelled',
    });
    scope.dispose();
  });
});
