import { describe, expect, it } from 'vitest';
import { fromTimestamp, toTimestamp } from './timestamp.js';

describe('toTimestamp', () => {
  it('splits milliseconds into int64 seconds (as a string) and nanos', () => {
    expect(toTimestamp(new Date('2026-01-01T00:00:00.123Z'))).toEqual({
      seconds: '1767225600',
      nanos: 123_000_000,
    });
  });

  it('keeps nanos non-negative before 1970, as the Timestamp contract requires', () => {
    expect(toTimestamp(new Date(-1))).toEqual({ seconds: '-1', nanos: 999_000_000 });
  });

  it('rejects an invalid Date instead of encoding NaN', () => {
    expect(() => toTimestamp(new Date('not a date'))).toThrow(RangeError);
  });
});

describe('fromTimestamp', () => {
  it('round-trips a Date at millisecond precision', () => {
    const date = new Date('1969-07-20T20:17:40.999Z');
    expect(fromTimestamp(toTimestamp(date))).toEqual(date);
  });

  it('drops sub-millisecond nanos', () => {
    expect(fromTimestamp({ seconds: '0', nanos: 1_999_999 }).getTime()).toBe(1);
  });
});
