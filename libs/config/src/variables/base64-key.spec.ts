import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { base64Key } from './base64-key.js';
import { secret } from './secret.js';

const schema = defineConfig({ PAGE_TOKEN_KEY: secret(base64Key(32)) });

describe('base64Key', () => {
  it('returns the key bytes', () => {
    const key = randomBytes(32);
    expect(loadConfig(schema, { PAGE_TOKEN_KEY: key.toString('base64') }).PAGE_TOKEN_KEY).toEqual(key);
  });

  it('names the variable and the size it got, never the value', () => {
    const short = randomBytes(9).toString('base64');
    expect(() => loadConfig(schema, { PAGE_TOKEN_KEY: short })).toThrow(
      /PAGE_TOKEN_KEY: expected 32 bytes in base64 \(openssl rand -base64 32\), got 9 bytes/,
    );
    expect(() => loadConfig(schema, { PAGE_TOKEN_KEY: short })).not.toThrow(short);
  });

  it('refuses a value that is not base64', () => {
    expect(() => loadConfig(schema, { PAGE_TOKEN_KEY: 'not base64!' })).toThrow(
      /got a value that is not base64/,
    );
  });
});
