import { describe, expect, it } from 'vitest';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { integer, positiveInt } from './integer.js';

const load = (kind: ReturnType<typeof integer>, raw: string) =>
  loadConfig(defineConfig({ N: kind }), { N: raw }).N;

describe('positiveInt', () => {
  it('parses whole numbers of at least 1', () => {
    expect(load(positiveInt(), '1')).toBe(1);
    expect(load(positiveInt(), '250')).toBe(250);
  });

  it.each(['0', '-3', '2.5', 'ten', '9007199254740993'])('rejects %j', (raw) => {
    expect(() => load(positiveInt(), raw)).toThrow(
      `N: expected a positive integer, got ${JSON.stringify(raw)}`,
    );
  });

  it('enforces its maximum and says so', () => {
    expect(load(positiveInt({ max: 10 }), '10')).toBe(10);
    expect(() => load(positiveInt({ max: 10 }), '11')).toThrow(
      'N: expected an integer from 1 to 10, got "11"',
    );
  });
});

describe('integer', () => {
  it('accepts negative values when no minimum is set', () => {
    expect(load(integer(), '-42')).toBe(-42);
  });

  it('rejects values below its minimum', () => {
    expect(() => load(integer({ min: 0 }), '-1')).toThrow('N: expected a non-negative integer, got "-1"');
  });
});
