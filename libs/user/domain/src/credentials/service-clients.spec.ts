import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ServiceClients } from './service-clients.js';

// The comparison itself runs; the wrapper only shows that one happens for every verification.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const orderSecret = 'order-secret-0123456789abcdef';
const workerSecret = 'worker-secret-0123456789abcdef';
const clients = new ServiceClients([
  { clientId: 'order-service', secret: orderSecret },
  { clientId: 'fulfillment-worker', secret: workerSecret },
]);

beforeEach(() => {
  vi.mocked(crypto.timingSafeEqual).mockClear();
});

describe('ServiceClients', () => {
  it('returns the client whose secret matches', () => {
    expect(clients.verify('order-service', orderSecret)).toEqual({ clientId: 'order-service' });
    expect(clients.verify('fulfillment-worker', workerSecret)).toEqual({ clientId: 'fulfillment-worker' });
  });

  it("refuses another client's secret, a prefix of the secret and a longer one", () => {
    expect(clients.verify('order-service', workerSecret)).toBeUndefined();
    expect(clients.verify('order-service', orderSecret.slice(0, -1))).toBeUndefined();
    expect(clients.verify('order-service', `${orderSecret}x`)).toBeUndefined();
    expect(clients.verify('order-service', '')).toBeUndefined();
  });

  it('compares equal-length digests, whatever the length of the secret given', () => {
    clients.verify('order-service', 'x');
    clients.verify('order-service', 'x'.repeat(1024));
    const lengths = vi
      .mocked(crypto.timingSafeEqual)
      .mock.calls.flatMap(([a, b]) => [a.byteLength, b.byteLength]);
    expect(lengths).toEqual([32, 32, 32, 32]);
  });

  it('refuses an unknown client id after a comparison all the same, even with a known secret', () => {
    expect(clients.verify('billing-service', orderSecret)).toBeUndefined();
    expect(clients.verify('__proto__', orderSecret)).toBeUndefined();
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(2);
  });

  it('counts the configured clients, and knows none when given none', () => {
    expect(clients.size).toBe(2);
    const none = new ServiceClients([]);
    expect(none.size).toBe(0);
    expect(none.verify('order-service', orderSecret)).toBeUndefined();
  });

  it('refuses a client id configured twice, without quoting a secret', () => {
    const build = () =>
      new ServiceClients([
        { clientId: 'order-service', secret: orderSecret },
        { clientId: 'order-service', secret: workerSecret },
      ]);
    expect(build).toThrow('client id order-service is configured twice');
    expect(() => build()).not.toThrow(new RegExp(`${orderSecret}|${workerSecret}`));
  });
});
