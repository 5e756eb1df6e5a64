import { ConfigError, defineConfig, loadConfig } from '@platform/config';
import { describe, expect, it } from 'vitest';
import { grpcAddressOf, rateLimitOf, servingVariables } from './serving-variables.js';

const defaults = {
  grpcPort: 50_060,
  metricsPort: 9_470,
  dataDir: '.data/shop',
  ratePerSecond: 20,
  burst: 40,
};
const shopConfig = defineConfig({ ...servingVariables('SHOP', defaults) });

describe('servingVariables', () => {
  it("declares the service's variables under its prefix, with its defaults", () => {
    const config = loadConfig(shopConfig, {});
    expect(config).toEqual({
      SHOP_GRPC_HOST: '127.0.0.1',
      SHOP_GRPC_PORT: 50_060,
      SHOP_METRICS_PORT: 9_470,
      SHOP_DATA_DIR: '.data/shop',
      SHOP_RATE_LIMIT_PER_SECOND: 20,
      SHOP_RATE_LIMIT_BURST: 40,
    });
    expect(grpcAddressOf(config, 'SHOP')).toEqual({ host: '127.0.0.1', port: 50_060, metricsPort: 9_470 });
    expect(rateLimitOf(config, 'SHOP')).toEqual({ ratePerSecond: 20, burst: 40 });
  });

  it('reads what the environment sets, and names a bad value', () => {
    const config = loadConfig(shopConfig, {
      SHOP_GRPC_HOST: '0.0.0.0',
      SHOP_GRPC_PORT: '7001',
      SHOP_METRICS_PORT: '0',
      SHOP_RATE_LIMIT_BURST: '5',
      SHOP_PAGE_TOKEN_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(grpcAddressOf(config, 'SHOP')).toEqual({ host: '0.0.0.0', port: 7_001, metricsPort: 0 });
    expect(rateLimitOf(config, 'SHOP').burst).toBe(5);
    expect(config.SHOP_PAGE_TOKEN_KEY).toHaveLength(32);
    expect(() => loadConfig(shopConfig, { SHOP_GRPC_PORT: '0', SHOP_GRPC_HOST: 'example.com' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig(shopConfig, { SHOP_GRPC_PORT: '0' })).toThrow(/SHOP_GRPC_PORT/);
  });
});
