import type { FieldViolation, RequestValidator } from '@platform/core';
import type {
  CancelOrderRequest,
  ConfirmOrderRequest,
  CreateOrderRequest,
  GetOrderRequest,
  ListOrdersRequest,
  WatchOrderRequest,
} from '@platform/proto';
import { OrderStatus } from '@platform/proto';

/** Limits of order requests. */
export interface OrderLimits {
  /** Most line items in one order. Defaults to 100. */
  maxItems: number;
  /** Largest quantity of one line item. Defaults to 1 000 000. */
  maxQuantity: number;
}

export const orderLimitDefaults: OrderLimits = { maxItems: 100, maxQuantity: 1_000_000 };

/** Field limits of the order API, in characters (code points). */
export const orderFieldLimits = {
  requestIdMaxLength: 128,
  skuMaxLength: 64,
  cancelReasonMaxLength: 500,
} as const;

/** The largest amount an int64 holds: totals above it cannot be represented. */
export const maxAmountMinor = 2n ** 63n - 1n;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const skuPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// Printable ASCII without spaces: request ids travel in logs and headers.
const requestIdPattern = /^[\x21-\x7e]+$/;
const currencies = new Set(Intl.supportedValuesOf('currency'));

type Violations = FieldViolation[];

/** True for a well-formed id (a UUID) of an order or a user. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

function checkId(value: string, field: string, violations: Violations, what: string): void {
  if (!value) violations.push({ field, description: 'is required' });
  else if (!isUuid(value)) violations.push({ field, description: `must be ${what} id (a UUID)` });
}

/** A decimal int64 string as a bigint, or `undefined` when it is not one. */
function int64Of(value: string): bigint | undefined {
  if (!/^-?\d{1,19}$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed >= -maxAmountMinor - 1n && parsed <= maxAmountMinor ? parsed : undefined;
}

/**
 * Every bad field of a CreateOrderRequest (also an ImportOrders item), named as in the proto
 * with item indexes (`items[3].quantity`), and the total it would have. The total is only
 * meaningful when there are no violations.
 */
export function checkCreateOrder(
  request: CreateOrderRequest,
  limits: OrderLimits = orderLimitDefaults,
): { violations: FieldViolation[]; totalMinor: bigint } {
  const violations: Violations = [];
  if (!request.requestId) violations.push({ field: 'request_id', description: 'is required' });
  else if (
    request.requestId.length > orderFieldLimits.requestIdMaxLength ||
    !requestIdPattern.test(request.requestId)
  ) {
    violations.push({
      field: 'request_id',
      description: `must be 1 to ${orderFieldLimits.requestIdMaxLength} printable ASCII characters without spaces`,
    });
  }
  if (request.userId && !isUuid(request.userId)) {
    violations.push({ field: 'user_id', description: 'must be a user id (a UUID), or empty for the caller' });
  }
  if (!currencies.has(request.currencyCode)) {
    violations.push({
      field: 'currency_code',
      description: 'must be an ISO 4217 currency code such as EUR or USD',
    });
  }
  if (request.items.length === 0)
    violations.push({ field: 'items', description: 'must hold at least one line item' });
  if (request.items.length > limits.maxItems) {
    violations.push({ field: 'items', description: `must hold at most ${limits.maxItems} line items` });
    return { violations, totalMinor: 0n };
  }
  let totalMinor = 0n;
  request.items.forEach((item, index) => {
    const field = (name: string) => `items[${index}].${name}`;
    if (!item.sku || item.sku.length > orderFieldLimits.skuMaxLength || !skuPattern.test(item.sku)) {
      violations.push({
        field: field('sku'),
        description: `must be 1 to ${orderFieldLimits.skuMaxLength} ASCII letters, digits, '.', '_' or '-', starting with a letter or digit`,
      });
    }
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > limits.maxQuantity) {
      violations.push({ field: field('quantity'), description: `must be from 1 to ${limits.maxQuantity}` });
    }
    const unitPrice = int64Of(item.unitPriceMinor);
    if (unitPrice === undefined || unitPrice < 0n) {
      violations.push({ field: field('unit_price_minor'), description: 'must not be negative' });
    } else {
      totalMinor += unitPrice * BigInt(Math.max(0, Math.trunc(item.quantity)));
    }
  });
  if (totalMinor > maxAmountMinor) {
    violations.push({
      field: 'items',
      description: `the total must not exceed ${maxAmountMinor} minor units`,
    });
  }
  return { violations, totalMinor };
}

/** What is wrong with an order id in `field`: nothing, missing, or not a UUID. */
export function orderIdViolations(orderId: string, field: string): FieldViolation[] {
  const violations: Violations = [];
  checkId(orderId, field, violations, 'an order');
  return violations;
}

function idOnly<Request>(read: (request: Request) => string, field = 'order_id') {
  return (request: Request) => orderIdViolations(read(request), field);
}

/**
 * The validators of OrderService's unary and server-streaming requests, for the validation
 * interceptor: every bad field at once, before the handler runs. Stream items (ImportOrders,
 * TrackOrders) are checked one by one by their handlers, which answer per item.
 */
export function orderRequestValidators(
  limits: OrderLimits = orderLimitDefaults,
): Record<string, RequestValidator<never>> {
  const validators = {
    CreateOrder: (request: CreateOrderRequest) => checkCreateOrder(request, limits).violations,
    GetOrder: idOnly((request: GetOrderRequest) => request.orderId),
    WatchOrder: idOnly((request: WatchOrderRequest) => request.orderId),
    ConfirmOrder: idOnly((request: ConfirmOrderRequest) => request.orderId),
    CancelOrder: (request: CancelOrderRequest) => {
      const violations: Violations = [];
      checkId(request.orderId, 'order_id', violations, 'an order');
      if ([...request.reason].length > orderFieldLimits.cancelReasonMaxLength) {
        violations.push({
          field: 'reason',
          description: `must be at most ${orderFieldLimits.cancelReasonMaxLength} characters`,
        });
      }
      return violations;
    },
    ListOrders: (request: ListOrdersRequest) => {
      const violations: Violations = [];
      if (request.userId && !isUuid(request.userId)) {
        violations.push({ field: 'user_id', description: 'must be a user id (a UUID), or empty' });
      }
      const known: OrderStatus[] = Object.values(OrderStatus).filter(
        (status) => status !== OrderStatus.UNRECOGNIZED,
      );
      if (!known.includes(request.status)) {
        violations.push({
          field: 'status',
          description: 'must be an OrderStatus, or unset for every status',
        });
      }
      return violations;
    },
  };
  return Object.fromEntries(
    Object.entries(validators).map(([method, validator]) => [
      `/platform.order.v1.OrderService/${method}`,
      validator as RequestValidator<never>,
    ]),
  );
}
