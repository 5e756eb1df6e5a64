import { describe, expect, it } from 'vitest';
import { defineConfig } from '../define-config.js';
import { loadConfig } from '../load-config.js';
import { list } from './list.js';
import { port } from './port.js';

describe('list', () => {
  it('splits on commas, trims items and drops empty ones', () => {
    const schema = defineConfig({ KAFKA_BROKERS: list() });
    expect(loadConfig(schema, { KAFKA_BROKERS: ' a:9092, b:9092,,c:9092 ' }).KAFKA_BROKERS).toEqual([
      'a:9092',
      'b:9092',
      'c:9092',
    ]);
  });

  it('parses each item with the item kind', () => {
    const schema = defineConfig({ PORTS: list(port()) });
    expect(loadConfig(schema, { PORTS: '80,443' }).PORTS).toEqual([80, 443]);
  });

  it('names the bad item', () => {
    const schema = defineConfig({ PORTS: list(port()) });
    expect(() => loadConfig(schema, { PORTS: '80,http,443' })).toThrow(
      'PORTS: expected a comma-separated list of a TCP port (1-65535), got "80,http,443" (item 2)',
    );
  });

  it('rejects a list shorter than its minimum', () => {
    const schema = defineConfig({ HOSTS: list(undefined, { minItems: 2 }) });
    expect(() => loadConfig(schema, { HOSTS: 'a,' })).toThrow(
      'HOSTS: expected a comma-separated list of items (at least 2), got "a,"',
    );
  });

  it('returns a frozen array', () => {
    const config = loadConfig(defineConfig({ HOSTS: list() }), { HOSTS: 'a' });
    expect(Object.isFrozen(config.HOSTS)).toBe(true);
  });
});
