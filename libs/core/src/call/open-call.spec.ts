import { afterEach, describe, expect, it, vi } from 'vitest';
import { currentScope, remainingMs, runInCall } from './call-scope.js';
import { isDeadlineReason } from './deadline-reason.js';
import { openCall } from './open-call.js';

afterEach(() => vi.useRealTimers());

describe('openCall', () => {
  it('gives the work run in it the scope, its remaining time and its signal', async () => {
    const { scope, close } = openCall({ name: 'fulfillment/OrderPlaced', timeoutMs: 60_000 });
    const seen = await runInCall(scope, async () => {
      await Promise.resolve();
      return { scope: currentScope(), remaining: remainingMs() };
    });
    close();
    expect(seen.scope).toBe(scope);
    expect(seen.remaining).toBeGreaterThan(0);
    expect(seen.remaining).toBeLessThanOrEqual(60_000);
    expect(currentScope()).toBeUndefined();
    expect(remainingMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('aborts its signal when the deadline passes', () => {
    vi.useFakeTimers();
    const { scope, close } = openCall({ name: 'job', timeoutMs: 500 });
    vi.advanceTimersByTime(499);
    expect(scope.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(isDeadlineReason(scope.signal.reason)).toBe(true);
    close();
  });

  it('follows its parent signal, and stops following it once closed', () => {
    const parent = new AbortController();
    const first = openCall({ name: 'a', signal: parent.signal });
    const second = openCall({ name: 'b', signal: parent.signal });
    second.close();
    parent.abort('consumer stopping');
    expect(first.scope.signal.reason).toBe('consumer stopping');
    expect(second.scope.signal.aborted).toBe(false);
    expect(isDeadlineReason(first.scope.signal.reason)).toBe(false);
    first.close();
  });

  it('starts aborted under an aborted parent, and abort() keeps the first reason', () => {
    const parent = new AbortController();
    parent.abort('shutdown');
    const opened = openCall({ name: 'a', signal: parent.signal });
    opened.abort('later');
    expect(opened.scope.signal.reason).toBe('shutdown');
  });

  it('has no deadline unless given one, an absolute deadline wins over a timeout, and a past one is over at once', () => {
    expect(openCall({ name: 'a' }).scope.deadline).toBeUndefined();
    const opened = openCall({ name: 'a', deadline: 1_000, timeoutMs: 10_000_000 });
    expect(opened.scope.deadline).toBe(1_000);
    expect(remainingMs(opened.scope)).toBe(0);
    expect(isDeadlineReason(opened.scope.signal.reason)).toBe(true);
    opened.close();
  });

  it('makes its signal and deadline timer only when the signal is first read', () => {
    vi.useFakeTimers();
    const opened = openCall({ name: 'job', timeoutMs: 500 });
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(600);
    // Read after the deadline passed: aborted at once, no timer left behind.
    expect(isDeadlineReason(opened.scope.signal.reason)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);

    const next = openCall({ name: 'job', timeoutMs: 500 });
    expect(next.scope.signal.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    next.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
