import { CreateOrderRequest, LineItem } from '@platform/proto';
import { describe, expect, it } from 'vitest';
import { checkCreateOrder, maxAmountMinor, orderRequestValidators } from './order-request-validators.js';

const request = (overrides: Partial<CreateOrderRequest> = {}): CreateOrderRequest =>
  CreateOrderRequest.create({
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
      checkCreateOrder(request({ items: [LineItem.create({ sku: 'a', quantity: 1, unitPriceMinor: big })] }))
        .totalMinor,
    ).toBe(BigInt(big));
  });

  it('refuses a total one minor unit past int64, and accepts int64 itself', () => {
    const max = maxAmountMinor.toString();
    expect(
      checkCreateOrder(request({ items: [LineItem.create({ sku: 'a', quantity: 1, unitPriceMinor: max })] }))
        .violations,
    ).toEqual([]);
    const over = checkCreateOrder(
      request({
        items: [
          LineItem.create({ sku: 'a', quantity: 1, unitPriceMinor: max }),
          LineItem.create({ sku: 'b', quantity: 1, unitPriceMinor: '1' }),
        ],
      }),
    );
    expect(over.violations.map((violation) => violation.field)).toEqual(['items']);
  });

  it('names item fields by index', () => {
    const { violations } = checkCreateOrder(
      request({
        items: [
          LineItem.create({ sku: 'ok', quantity: 1, unitPriceMinor: '1' }),
          LineItem.create({ sku: 'bad sku', quantity: 0, unitPriceMinor: '-5' }),
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
    const items = Array.from({ length: 3 }, () => LineItem.create({ unitPriceMinor: 'x' }));
    const { violations } = checkCreateOrder(request({ items }), { maxItems: 2, maxQuantity: 10 });
    expect(violations).toEqual([{ field: 'items', description: 'must hold at most 2 line items' }]);
  });
});

describe('SKUs', () => {
  const skuViolations = (sku: string) =>
    checkCreateOrder(request({ items: [LineItem.create({ sku, quantity: 1, unitPriceMinor: '1' })] }))
      .violations;

  it.each(['book-42', 'SKU.v2_x', '7', 'a'.repeat(64)])('accepts %j', (sku) => {
    expect(skuViolations(sku)).toEqual([]);
  });

  it.each(['', '-lead', '.lead', 'two words', 'café', 'a'.repeat(65)])(
    'refuses %j, saying what a SKU is',
    (sku) => {
      expect(skuViolations(sku)).toEqual([
        {
          field: 'items[0].sku',
          description:
            "must be 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit",
        },
      ]);
    },
  );
});

describe('CancelOrder requests', () => {
  const check = orderRequestValidators()['/platform.order.v1.OrderService/CancelOrder'] as (request: {
    orderId: string;
    reason: string;
  }) => unknown;
  const orderId = '0b0b6c3e-4f7a-4d3e-9c1a-2f5e8d7c6b5a';

  it('measures the reason in characters: 500 emoji (1000 UTF-16 units) pass, 501 do not', () => {
    expect(check({ orderId, reason: '\u{1F4E6}'.repeat(500) })).toEqual([]);
    expect(check({ orderId, reason: '\u{1F4E6}'.repeat(501) })).toEqual([
      { field: 'reason', description: 'must be at most 500 characters' },
    ]);
  });
});
