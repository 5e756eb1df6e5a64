import * as z from 'zod';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { defineConfig } from './define-config.js';
import { loadConfig } from './load-config.js';
import { bool } from './variables/bool.js';
import { duration } from './variables/duration.js';
import { port } from './variables/port.js';
import { secret } from './variables/secret.js';
import { url } from './variables/url.js';

const schema = defineConfig({
  ORDER_GRPC_PORT: port(),
  DATABASE_URL: secret(url({ protocols: ['postgres:', 'postgresql:'] })).optional(),
  REQUEST_TIMEOUT: duration().default(10_000),
  TRACING_ENABLED: bool().default(false),
  REGION: z.string().regex(/^[a-z]+-\d$/),
});

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('a valid environment', () => {
  const config = loadConfig(schema, { ORDER_GRPC_PORT: '50051', REGION: 'eu-1', TRACING_ENABLED: '1' });

  it('returns typed values, with defaults for unset variables', () => {
    expect(config).toEqual({
      ORDER_GRPC_PORT: 50_051,
      REQUEST_TIMEOUT: 10_000,
      TRACING_ENABLED: true,
      REGION: 'eu-1',
    });
    expectTypeOf(config.ORDER_GRPC_PORT).toEqualTypeOf<number>();
    expectTypeOf(config.DATABASE_URL).toEqualTypeOf<string | undefined>();
  });

  it('is frozen', () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { ORDER_GRPC_PORT: number }).ORDER_GRPC_PORT = 1;
    }).toThrow(TypeError);
  });

  it('ignores variables the schema does not declare', () => {
    expect(loadConfig(schema, { ORDER_GRPC_PORT: '1', REGION: 'eu-1', PATH: '/bin' })).not.toHaveProperty(
      'PATH',
    );
  });

  it('treats an empty value as unset, so the default applies', () => {
    expect(
      loadConfig(schema, { ORDER_GRPC_PORT: '1', REGION: 'eu-1', REQUEST_TIMEOUT: '', TRACING_ENABLED: ' ' }),
    ).toMatchObject({ REQUEST_TIMEOUT: 10_000, TRACING_ENABLED: false });
  });

  it('reads process.env by default', () => {
    const only = defineConfig({ PLATFORM_CONFIG_SPEC_PORT: port() });
    process.env['PLATFORM_CONFIG_SPEC_PORT'] = '4242';
    try {
      expect(loadConfig(only).PLATFORM_CONFIG_SPEC_PORT).toBe(4242);
    } finally {
      delete process.env['PLATFORM_CONFIG_SPEC_PORT'];
    }
  });
});

describe('several bad variables', () => {
  it('are all reported in one ConfigError, in declaration order', () => {
    const error = errorOf(() =>
      loadConfig(schema, {
        ORDER_GRPC_PORT: '99999',
        DATABASE_URL: 'not a url at all',
        REQUEST_TIMEOUT: 'soon',
        TRACING_ENABLED: 'yes',
      }),
    );
    expect(error.problems).toEqual([
      { variable: 'ORDER_GRPC_PORT', message: 'expected a TCP port (1-65535), got "99999"' },
      { variable: 'DATABASE_URL', message: 'expected a postgres:// URL, got a value that is not a URL' },
      {
        variable: 'REQUEST_TIMEOUT',
        message: 'expected a duration such as 500ms, 10s, 5m or 1h, got "soon"',
      },
      { variable: 'TRACING_ENABLED', message: 'expected true, false, 1 or 0, got "yes"' },
      { variable: 'REGION', message: 'required, but it is not set' },
    ]);
    expect(error.message).toBe(
      [
        'Invalid configuration (5 problems):',
        '  ORDER_GRPC_PORT: expected a TCP port (1-65535), got "99999"',
        '  DATABASE_URL: expected a postgres:// URL, got a value that is not a URL',
        '  REQUEST_TIMEOUT: expected a duration such as 500ms, 10s, 5m or 1h, got "soon"',
        '  TRACING_ENABLED: expected true, false, 1 or 0, got "yes"',
        '  REGION: required, but it is not set',
      ].join('\n'),
    );
    expect(error.message).not.toContain('not a url at all');
  });
});

describe('a missing required variable', () => {
  it('names the variable and its expected form', () => {
    expect(() => loadConfig(schema, { REGION: 'eu-1' })).toThrow(
      'ORDER_GRPC_PORT: required, expected a TCP port (1-65535), but it is not set',
    );
  });
});

describe('a plain zod schema', () => {
  it('reports its own message with the value', () => {
    const error = errorOf(() => loadConfig(schema, { ORDER_GRPC_PORT: '1', REGION: 'Europe' }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.variable).toBe('REGION');
    expect(error.problems[0]?.message).toMatch(/, got "Europe"$/);
  });

  it('quotes at most 80 characters of a long value', () => {
    const error = errorOf(() => loadConfig(schema, { ORDER_GRPC_PORT: 'x'.repeat(500), REGION: 'eu-1' }));
    expect(error.problems[0]?.message).toBe(`expected a TCP port (1-65535), got "${'x'.repeat(80)}…"`);
  });
});
