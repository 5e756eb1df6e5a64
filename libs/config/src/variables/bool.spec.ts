import { describe, expect, it } from 'vitest';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { bool } from './bool.js';

const load = (raw: string) => loadConfig(defineConfig({ FLAG: bool() }), { FLAG: raw }).FLAG;

describe('bool', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['False', false],
    ['0', false],
  ])('parses %j to %s', (raw, value) => {
    expect(load(raw)).toBe(value);
  });

  it.each(['yes', 'no', 'on', '2', 'truthy'])('rejects %j instead of reading it as false', (raw) => {
    expect(() => load(raw)).toThrow(`FLAG: expected true, false, 1 or 0, got ${JSON.stringify(raw)}`);
  });
});
