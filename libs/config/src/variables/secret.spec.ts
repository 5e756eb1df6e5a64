import { inspect } from 'node:util';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config-error.js';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { secret } from './secret.js';
import { url } from './url.js';

const password = 'hunter2-very-secret';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('a secret with a kind', () => {
  const schema = defineConfig({ DATABASE_URL: secret(url({ protocols: ['postgres:', 'postgresql:'] })) });

  it('is parsed by its kind', () => {
    const value = `postgres://app:${password}@db/orders`;
    expect(loadConfig(schema, { DATABASE_URL: value }).DATABASE_URL).toBe(value);
  });

  it('describes a bad value without quoting it', () => {
    const message = messageOf(() => loadConfig(schema, { DATABASE_URL: `${password} not a url` }));
    expect(message).toContain('DATABASE_URL: expected a postgres:// URL, got a value that is not a URL');
    expect(message).not.toContain(password);
  });

  it('names the wrong protocol but not the credentials', () => {
    const message = messageOf(() =>
      loadConfig(schema, { DATABASE_URL: `mysql://app:${password}@db/orders` }),
    );
    expect(message).toContain('DATABASE_URL: expected a postgres:// URL, got a URL with protocol "mysql:"');
    expect(message).not.toContain(password);
  });
});

describe('a secret with a plain zod schema', () => {
  it('reports the rule that failed and redacts the value', () => {
    const schema = defineConfig({ SIGNING_KEY: secret(z.string().min(32)) });
    const message = messageOf(() => loadConfig(schema, { SIGNING_KEY: password }));
    expect(message).toMatch(/SIGNING_KEY: .*32.*\(value <redacted>\)/);
    expect(message).not.toContain(password);
  });
});

describe('a missing secret', () => {
  it('says it is not set', () => {
    const schema = defineConfig({ API_TOKEN: secret() });
    expect(() => loadConfig(schema, {})).toThrow(
      'API_TOKEN: required, expected a non-empty secret, but it is not set',
    );
  });
});

describe('a loaded config holding a secret', () => {
  const schema = defineConfig({ API_TOKEN: secret(), REGION: z.string() });
  const config = loadConfig(schema, { API_TOKEN: password, REGION: 'eu' });

  it('gives the value to the code that reads it', () => {
    expect(config.API_TOKEN).toBe(password);
  });

  it('is redacted when serialized or inspected for a log', () => {
    expect(JSON.parse(JSON.stringify(config))).toEqual({ API_TOKEN: '<redacted>', REGION: 'eu' });
    expect(inspect(config)).not.toContain(password);
    expect(inspect(config)).toContain('<redacted>');
    expect(`${JSON.stringify({ config })}`).not.toContain(password);
  });
});
