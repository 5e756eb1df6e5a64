import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config-error.js';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { port } from './port.js';

const schema = defineConfig({ ORDER_GRPC_PORT: port() });

describe('a valid port', () => {
  it.each([
    ['1', 1],
    ['50051', 50_051],
    ['65535', 65_535],
    [' 8080 ', 8080],
  ])('parses %j to %d', (raw, expected) => {
    expect(loadConfig(schema, { ORDER_GRPC_PORT: raw }).ORDER_GRPC_PORT).toBe(expected);
  });

  it('accepts 0 only when allowZero is set', () => {
    expect(loadConfig(defineConfig({ P: port({ allowZero: true }) }), { P: '0' }).P).toBe(0);
    expect(() => loadConfig(schema, { ORDER_GRPC_PORT: '0' })).toThrow(ConfigError);
  });
});

describe('a bad port', () => {
  it.each(['99999', '65536', '0', '-1', '80.5', 'http', '1e3'])(
    'rejects %j naming the variable and value',
    (raw) => {
      expect(() => loadConfig(schema, { ORDER_GRPC_PORT: raw })).toThrow(
        `ORDER_GRPC_PORT: expected a TCP port (1-65535), got ${JSON.stringify(raw)}`,
      );
    },
  );
});
