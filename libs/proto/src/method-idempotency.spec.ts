import { loadSync } from '@grpc/proto-loader';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyLevelOf, protoLoaderOptions, registerIdempotencyLevels } from './index.js';

describe('platform contracts', () => {
  it('reads NO_SIDE_EFFECTS for OrderService.GetOrder from its .proto', () => {
    expect(idempotencyLevelOf('/platform.order.v1.OrderService/GetOrder')).toBe('NO_SIDE_EFFECTS');
  });

  it('reads IDEMPOTENT for OrderService.CreateOrder', () => {
    expect(idempotencyLevelOf('/platform.order.v1.OrderService/CreateOrder')).toBe('IDEMPOTENT');
  });

  it('reads IDEMPOTENCY_UNKNOWN for UserService.CreateUser', () => {
    expect(idempotencyLevelOf('/platform.user.v1.UserService/CreateUser')).toBe('IDEMPOTENCY_UNKNOWN');
  });

  it('covers the streaming methods too', () => {
    expect(idempotencyLevelOf('/platform.order.v1.OrderService/WatchOrder')).toBe('NO_SIDE_EFFECTS');
    expect(idempotencyLevelOf('/platform.order.v1.OrderService/ImportOrders')).toBe('IDEMPOTENT');
  });
});

describe('unknown method', () => {
  it('answers IDEMPOTENCY_UNKNOWN for a path no contract declares', () => {
    expect(idempotencyLevelOf('/platform.order.v1.OrderService/NoSuchMethod')).toBe('IDEMPOTENCY_UNKNOWN');
    expect(idempotencyLevelOf('not a path')).toBe('IDEMPOTENCY_UNKNOWN');
  });
});

describe('a team registers its own service', () => {
  let protoDir: string;

  beforeAll(() => {
    protoDir = mkdtempSync(join(tmpdir(), 'idempotency-'));
    writeFileSync(
      join(protoDir, 'billing.proto'),
      `syntax = "proto3";
package team.billing.v1;
message Req {}
message Res {}
service BillingService {
  rpc GetInvoice(Req) returns (Res) { option idempotency_level = NO_SIDE_EFFECTS; }
  rpc VoidInvoice(Req) returns (Res) { option idempotency_level = IDEMPOTENT; }
  rpc Charge(Req) returns (Res);
}
`,
    );
  });

  afterAll(() => rmSync(protoDir, { recursive: true, force: true }));

  it('answers the levels of the registered package definition, IDEMPOTENCY_UNKNOWN where undeclared', () => {
    expect(idempotencyLevelOf('/team.billing.v1.BillingService/GetInvoice')).toBe('IDEMPOTENCY_UNKNOWN');

    registerIdempotencyLevels(loadSync('billing.proto', { ...protoLoaderOptions, includeDirs: [protoDir] }));

    expect(idempotencyLevelOf('/team.billing.v1.BillingService/GetInvoice')).toBe('NO_SIDE_EFFECTS');
    expect(idempotencyLevelOf('/team.billing.v1.BillingService/VoidInvoice')).toBe('IDEMPOTENT');
    expect(idempotencyLevelOf('/team.billing.v1.BillingService/Charge')).toBe('IDEMPOTENCY_UNKNOWN');
    // The platform's own contracts are still known after a registration.
    expect(idempotencyLevelOf('/platform.order.v1.OrderService/GetOrder')).toBe('NO_SIDE_EFFECTS');
  });
});
