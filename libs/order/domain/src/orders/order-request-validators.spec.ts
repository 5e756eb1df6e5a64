import type { CreateOrderRequest } from '@platform/proto';
import { describe, expect, it } from 'vitest';
import { checkCreateOrder, maxAmountMinor } from './order-request-validators.js';

const request = (overrides: Partial<CreateOrderRequest> = {}): CreateOrderRequest => ({
  requestId: 'r-1',
  userId: '',
  currencyCode: 'EUR',
  items: [{ sku: 'sku-1', quantity: 2, unitPriceMinor: '150' }],
  ...overrides,
});

describe('checkCreateOrder', () => {
  it('computes the exact total of a valid order', () => {
    const big = (maxAmountMinor / 2n).toString();
    expect(checkCreateOrder(request())).toEqual({ violations: [], totalMinor: 300n });
    expect(
      checkCreateOrder(request({ items: [{ sku: 'a', quantity: 1, unitPriceMinor: big }] })).totalMinor,
    ).toBe(BigInt(big));
  });

  it('refuses a total one minor unit past int64, and accepts int64 itself', () => {
    const max = maxAmountMinor.toString();
    expect(
      checkCreateOrder(request({ items: [{ sku: 'a', quantity: 1, unitPriceMinor: max }] })).violations,
    ).toEqual([]);
    const over = checkCreateOrder(
      request({
        items: [
          { sku: 'a', quantity: 1, unitPriceMinor: max },
          { sku: 'b', quantity: 1, unitPriceMinor: '1' },
        ],
      }),
    );
    expect(over.violations.map((violation) => violation.field)).toEqual(['items']);
  });

  it('names item fields by index', () => {
    const { violations } = checkCreateOrder(
      request({
        items: [
          { sku: 'ok', quantity: 1, unitPriceMinor: '1' },
          { sku: 'bad sku', quantity: 0, unitPriceMinor: '-5' },
        ],
      }),
    );
    expect(violations.map((violation) => violation.field)).toEqual([
      'items[1].sku',
      'items[1].quantity',
      'items[1].unit_price_minor',
    ]);
  });

  it('stops at the item count limit without walking the items', () => {
    const items = Array.from({ length: 3 }, () => ({ sku: '', quantity: 0, unitPriceMinor: 'x' }));
    const { violations } = checkCreateOrder(request({ items }), { maxItems: 2, maxQuantity: 10 });
    expect(violations).toEqual([{ field: 'items', description: 'must hold at most 2 line items' }]);
  });
});
