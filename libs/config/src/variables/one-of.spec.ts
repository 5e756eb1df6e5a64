import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { oneOf } from './one-of.js';

const schema = defineConfig({ LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error']) });

describe('oneOf', () => {
  it('returns a listed value, typed as the union', () => {
    const config = loadConfig(schema, { LOG_LEVEL: 'warn' });
    expect(config.LOG_LEVEL).toBe('warn');
    expectTypeOf(config.LOG_LEVEL).toEqualTypeOf<'debug' | 'info' | 'warn' | 'error'>();
  });

  it('rejects an unlisted value (case matters), listing the allowed ones', () => {
    expect(() => loadConfig(schema, { LOG_LEVEL: 'INFO' })).toThrow(
      'LOG_LEVEL: expected one of debug, info, warn, error, got "INFO"',
    );
  });
});
