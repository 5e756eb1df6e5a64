import { describe, expect, it } from 'vitest';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { url } from './url.js';

const postgres = defineConfig({ DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'] }) });

describe('url', () => {
  it('returns the URL as given', () => {
    const value = 'postgresql://app@db.internal:5432/orders?sslmode=require';
    expect(loadConfig(postgres, { DATABASE_URL: value }).DATABASE_URL).toBe(value);
  });

  it('accepts any absolute URL without a protocol list', () => {
    const schema = defineConfig({ OTLP_ENDPOINT: url() });
    expect(loadConfig(schema, { OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).OTLP_ENDPOINT).toBe(
      'http://127.0.0.1:4318',
    );
    expect(() => loadConfig(schema, { OTLP_ENDPOINT: 'localhost' })).toThrow(
      'OTLP_ENDPOINT: expected an absolute URL, got "localhost"',
    );
  });

  it('rejects a value that is not a URL', () => {
    expect(() => loadConfig(postgres, { DATABASE_URL: 'db:5432 orders' })).toThrow(
      'DATABASE_URL: expected a postgres:// URL, got "db:5432 orders"',
    );
  });

  it('rejects a URL of another protocol', () => {
    expect(() => loadConfig(postgres, { DATABASE_URL: 'mysql://db/orders' })).toThrow(
      'DATABASE_URL: expected a postgres:// URL, got "mysql://db/orders"',
    );
  });
});
