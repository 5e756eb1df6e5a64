import { describe, expect, it } from 'vitest';
import { FailureWindow } from './failure-window.js';

describe('FailureWindow', () => {
  it('blocks a key at the limit until its oldest failure leaves the window', () => {
    const window = new FailureWindow(3, 1_000, 100);
    window.record('a', 0);
    window.record('a', 100);
    expect(window.retryDelayMs('a', 200)).toBe(0);
    window.record('a', 200);
    expect(window.retryDelayMs('a', 200)).toBe(800);
    expect(window.retryDelayMs('a', 999)).toBe(1);
    expect(window.retryDelayMs('a', 1_000)).toBe(0);
    window.record('a', 1_000); // 100, 200, 1000: blocked again until 100 leaves
    expect(window.retryDelayMs('a', 1_000)).toBe(100);
  });

  it('forgets failures older than the window when counting', () => {
    const window = new FailureWindow(2, 1_000, 100);
    window.record('a', 0);
    window.record('a', 1_500);
    expect(window.retryDelayMs('a', 1_500)).toBe(0);
  });

  it('keeps keys apart, and clears one without touching the others', () => {
    const window = new FailureWindow(1, 1_000, 100);
    window.record('a', 0);
    window.record('b', 0);
    window.clear('a');
    expect(window.retryDelayMs('a', 0)).toBe(0);
    expect(window.retryDelayMs('b', 0)).toBe(1_000);
  });

  it('never blocks for longer than the window, even when the clock goes back', () => {
    const window = new FailureWindow(1, 1_000, 100);
    window.record('a', 5_000);
    expect(window.retryDelayMs('a', 0)).toBe(1_000);
  });

  it('stays within maxEntries, forgetting the keys whose last failure is oldest', () => {
    const window = new FailureWindow(1, 60_000, 2);
    window.record('a', 0);
    window.record('b', 1);
    window.record('a', 2); // a failed last
    window.record('c', 3); // evicts b
    expect(window.size).toBe(2);
    expect(window.retryDelayMs('a', 3)).toBeGreaterThan(0);
    expect(window.retryDelayMs('b', 3)).toBe(0);
    expect(window.retryDelayMs('c', 3)).toBeGreaterThan(0);
  });

  it('sweeps keys without a failure in the window', () => {
    const window = new FailureWindow(5, 1_000, 10_000);
    for (let index = 0; index < 100; index += 1) window.record(`peer-${index}`, index);
    expect(window.size).toBe(100);
    window.record('fresh', 1_200);
    expect(window.size).toBe(1);
  });
});
