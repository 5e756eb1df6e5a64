import { describe, expect, it } from 'vitest';
import { FailedPreconditionError } from '../errors/platform-errors.js';
import { assertSameRequest } from './assert-same-request.js';
import { requestHashOf } from './request-hash.js';

const resource = { noun: 'order', collection: 'orders', idKey: 'order_id' };

describe('requestHashOf', () => {
  it('is the same for the same payload and differs for another', () => {
    expect(requestHashOf(['u1', 'EUR', [['sku', 1]]])).toBe(requestHashOf(['u1', 'EUR', [['sku', 1]]]));
    expect(requestHashOf(['u1', 'EUR'])).not.toBe(requestHashOf(['u1', 'USD']));
    // The digest stored rows already hold: SHA-256 of the JSON, base64url.
    expect(requestHashOf(['a'])).toBe('DrW41vgbxnfaighWfMT6mgalfp7I2oXtc6f2JyeZYAI');
  });
});

describe('assertSameRequest', () => {
  const row = { id: 'o-1', requestId: 'r-1', requestHash: requestHashOf(['a']) };

  it('passes a retry with the same payload', () => {
    expect(() => assertSameRequest(row, requestHashOf(['a']), resource)).not.toThrow();
  });

  it('refuses another payload with IDEMPOTENCY_KEY_REUSED naming the row', () => {
    let error: unknown;
    try {
      assertSameRequest(row, requestHashOf(['b']), resource);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FailedPreconditionError);
    expect(error).toMatchObject({
      message: 'Request id r-1 was already used for another order',
      violations: [{ type: 'IDEMPOTENCY_KEY', subject: 'orders/o-1' }],
      reason: 'IDEMPOTENCY_KEY_REUSED',
      errorMetadata: { order_id: 'o-1' },
    });
  });
});
