import { defineConfig, loadConfig } from '@platform/config';
import { describe, expect, it } from 'vitest';
import { connectionAgeOptions, grpcServerVariables } from './server-variables.js';

const schema = defineConfig(grpcServerVariables);

describe('grpcServerVariables and connectionAgeOptions', () => {
  it('set no connection age unless one is configured', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({ HEALTH_CHECK_INTERVAL: 5_000, SHUTDOWN_DRAIN_TIMEOUT: 10_000 });
    expect(connectionAgeOptions(config)).toEqual({});
  });

  it('give the server the age and its grace in milliseconds', () => {
    const config = loadConfig(schema, { GRPC_MAX_CONNECTION_AGE: '30s' });
    expect(connectionAgeOptions(config)).toEqual({
      'grpc.max_connection_age_ms': 30_000,
      'grpc.max_connection_age_grace_ms': 10_000,
    });
  });

  it('refuse an age under a second, naming the variable', () => {
    expect(() => loadConfig(schema, { GRPC_MAX_CONNECTION_AGE: '10ms' })).toThrow(/GRPC_MAX_CONNECTION_AGE/);
  });
});
