// Typed messages that set every field kind the contracts use: string, int32, int64 beyond
// 2^53, enum, repeated enum, repeated message, map<string, int64>, Timestamp, nested
// message, oneof (string and message members), proto3 optional, google.rpc enums and details.
// Some leave message fields unset (null), oneofs and optionals absent, to pin
// the "unset" shapes too.
import { Code } from '../gen/google/rpc/code.js';
import type { Timestamp } from '../gen/google/protobuf/timestamp.js';
import {
  CancelOrderRequest,
  CreateOrderRequest,
  ImportOutcome,
  ItemError,
  ImportOrdersResponse,
  ListOrdersRequest,
  TrackOrdersRequest,
  TrackOrdersResponse,
} from '../gen/platform/order/v1/order_service.js';
import { LineItem, Order, OrderStatus } from '../gen/platform/order/v1/order.js';
import {
  AuthenticateResponse,
  UpdateUserRequest,
  AuthenticateRequest,
} from '../gen/platform/user/v1/user_service.js';
import { Role, User, UserOrderStats, UserStatus } from '../gen/platform/user/v1/user.js';

/** 2^53 + 1: not representable as a JS number, so it proves int64 travels as an exact string. */
export const beyondSafeInteger = '9007199254740993';
/** Largest int64. */
export const maxInt64 = '9223372036854775807';

export const createTime: Timestamp = { seconds: '1767225600', nanos: 123_000_000 };
export const updateTime: Timestamp = { seconds: '1767225661', nanos: 999_999_999 };

export const activeUser: User = User.create({
  id: '0b0f1f5e-2c47-4a39-8d6e-5f3b3f2d9a10',
  email: 'ada@example.com',
  displayName: 'Ada Lovelace — ✓',
  role: Role.ROLE_ADMIN,
  status: UserStatus.USER_STATUS_ACTIVE,
  createTime,
  updateTime,
  deactivateTime: null,
});

export const deactivatedUser: User = {
  ...activeUser,
  id: '7d3c6a2e-9f1b-4c8a-b2e4-1a2b3c4d5e6f',
  role: Role.ROLE_USER,
  status: UserStatus.USER_STATUS_DEACTIVATED,
  deactivateTime: updateTime,
};

export const stats: UserOrderStats = UserOrderStats.create({
  userId: activeUser.id,
  orderCount: beyondSafeInteger,
  confirmedCount: '3',
  cancelledCount: '0',
  lifetimeTotalMinorByCurrency: { EUR: maxInt64, JPY: '-1', USD: '0' },
  lastOrderTime: createTime,
});

export const order: Order = Order.create({
  id: 'c6a1e0a4-5b7d-4c1e-9a34-2f0e1d2c3b4a',
  userId: activeUser.id,
  requestId: 'req-42',
  items: [
    LineItem.create({ sku: 'SKU-1', quantity: 2_147_483_647, unitPriceMinor: beyondSafeInteger }),
    LineItem.create({ sku: 'SKU_2', quantity: 1, unitPriceMinor: '0' }),
  ],
  currencyCode: 'EUR',
  totalMinor: maxInt64,
  status: OrderStatus.ORDER_STATUS_CANCELLED,
  version: beyondSafeInteger,
  createTime,
  updateTime,
  cancelReason: 'changed my mind',
});

export const createOrderRequest: CreateOrderRequest = CreateOrderRequest.create({
  requestId: 'req-42',
  userId: '',
  items: order.items,
  currencyCode: 'EUR',
});

export const listOrdersRequest: ListOrdersRequest = ListOrdersRequest.create({
  pageSize: 500,
  pageToken: 'opaque/token+==',
  status: OrderStatus.ORDER_STATUS_CONFIRMED,
  userId: activeUser.id,
});

export const cancelOrderRequest: CancelOrderRequest = CancelOrderRequest.create({
  orderId: order.id,
  reason: '',
});

export const itemError: ItemError = ItemError.create({
  code: Code.INVALID_ARGUMENT,
  message: 'items[3].quantity must be at least 1',
  errorInfo: {
    reason: 'INVALID_ORDER',
    domain: 'order.platform',
    metadata: { index: '3', field: 'quantity' },
  },
  badRequest: {
    fieldViolations: [
      {
        field: 'items[3].quantity',
        description: 'must be at least 1',
        reason: 'TOO_SMALL',
        localizedMessage: null,
      },
      {
        field: 'currency_code',
        description: 'unknown currency',
        reason: 'UNKNOWN_CURRENCY',
        localizedMessage: { locale: 'de-DE', message: 'Unbekannte Währung' },
      },
    ],
  },
  preconditionFailure: {
    violations: [{ type: 'USER_STATUS', subject: 'users/7d3c', description: 'deactivated' }],
  },
  resourceInfo: null,
});

export const notFoundError: ItemError = ItemError.create({
  code: Code.NOT_FOUND,
  message: 'order not found',
  errorInfo: { reason: 'ORDER_NOT_FOUND', domain: 'order.platform', metadata: {} },
  badRequest: null,
  preconditionFailure: null,
  resourceInfo: {
    resourceType: 'platform.order.v1.Order',
    resourceName: 'orders/x',
    owner: '',
    description: '',
  },
});

export const importSummary: ImportOrdersResponse = ImportOrdersResponse.create({
  createdCount: 1,
  duplicateCount: 1,
  failedCount: 1,
  results: [
    {
      index: 0,
      requestId: 'a',
      outcome: ImportOutcome.IMPORT_OUTCOME_CREATED,
      orderId: order.id,
      error: null,
    },
    {
      index: 1,
      requestId: 'a',
      outcome: ImportOutcome.IMPORT_OUTCOME_DUPLICATE,
      orderId: order.id,
      error: null,
    },
    {
      index: 2,
      requestId: 'b',
      outcome: ImportOutcome.IMPORT_OUTCOME_FAILED,
      orderId: '',
      error: itemError,
    },
  ],
});

export const trackRequests: TrackOrdersRequest[] = [
  TrackOrdersRequest.create({ subscribeOrderId: order.id }),
  TrackOrdersRequest.create({ unsubscribeOrderId: order.id }),
  TrackOrdersRequest.create({}),
];

export const trackResponses: TrackOrdersResponse[] = [
  TrackOrdersResponse.create({ orderId: order.id, order }),
  TrackOrdersResponse.create({ orderId: 'not-a-uuid', error: itemError }),
  TrackOrdersResponse.create({ orderId: '3f1e2d3c-0000-4000-8000-000000000000', error: notFoundError }),
];

export const passwordLogin: AuthenticateRequest = AuthenticateRequest.create({
  password: { email: 'ada@example.com', password: 'pässwörd 🔑' },
});
export const clientLogin: AuthenticateRequest = AuthenticateRequest.create({
  client: { clientId: 'fulfillment-worker', clientSecret: 's3cr3t' },
});

export const authenticateResponse: AuthenticateResponse = AuthenticateResponse.create({
  accessToken: 'eyJhbGciOiJFZERTQSJ9.e30.sig',
  expireTime: updateTime,
  subject: 'fulfillment-worker',
  roles: [Role.ROLE_SERVICE, Role.ROLE_ADMIN],
});

export const updateDisplayNameOnly: UpdateUserRequest = UpdateUserRequest.create({
  userId: activeUser.id,
  displayName: '',
});
export const updateRoleOnly: UpdateUserRequest = UpdateUserRequest.create({
  userId: activeUser.id,
  role: Role.ROLE_ADMIN,
});
export const updateNothing: UpdateUserRequest = UpdateUserRequest.create({ userId: activeUser.id });
