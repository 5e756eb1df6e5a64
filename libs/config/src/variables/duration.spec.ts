import { describe, expect, it } from 'vitest';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { duration } from './duration.js';

const load = (raw: string, kind = duration()) =>
  loadConfig(defineConfig({ TIMEOUT: kind }), { TIMEOUT: raw }).TIMEOUT;

describe('a valid duration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['250', 250],
    ['0', 0],
    ['2S', 2_000],
  ])('parses %j to %d ms', (raw, ms) => {
    expect(load(raw)).toBe(ms);
  });
});

describe('a bad duration', () => {
  it.each(['10 seconds', '-5s', 's', '1d', '1h30m', 'fast'])('rejects %j with the accepted forms', (raw) => {
    expect(() => load(raw)).toThrow(
      `TIMEOUT: expected a duration such as 500ms, 10s, 5m or 1h, got ${JSON.stringify(raw)}`,
    );
  });

  it('rejects a duration outside its bounds, stating them', () => {
    expect(load('2s', duration({ minMs: 100, maxMs: 60_000 }))).toBe(2_000);
    expect(() => load('2m', duration({ minMs: 100, maxMs: 60_000 }))).toThrow(
      'TIMEOUT: expected a duration such as 500ms, 10s, 5m or 1h, from 100ms to 1m, got "2m"',
    );
  });
});
