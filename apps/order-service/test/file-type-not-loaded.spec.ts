// The supported Node versions include 20.19 (package.json engines), while npm warns (EBADENGINE)
// that file-type, a dependency of @nestjs/common, wants Node 22+. @nestjs/common imports it only
// inside FileTypeValidator.isValid (HTTP file uploads), which no service uses: this shows the
// running order service never loads it, and that the recorder would see it if it did.
import { FileTypeValidator } from '@nestjs/common';
import { pgliteTarget } from '@platform/db/testing';
import { bearer } from '@platform/grpc';
import { recordModuleLoads, type ModuleLoadRecorder } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCaller, orderRequest } from './__fixtures__/order-stack.js';
import { startOrderStack, type OrderStack } from './__fixtures__/start-order-stack.js';
import { readStream } from './__fixtures__/stream-reader.js';
import { CancelOrderRequest, GetOrderRequest, WatchOrderRequest } from '@platform/proto';

let recorder: ModuleLoadRecorder;
let stack: OrderStack;
beforeAll(async () => {
  recorder = recordModuleLoads();
  stack = await startOrderStack(pgliteTarget);
});
afterAll(() => stack?.dispose());

describe('file-type (Node 22+ only)', () => {
  it('is not loaded by the order service starting and serving unary and streaming calls', async () => {
    const alice = await stack.signUp();
    const { order } = await stack.orders.createOrder(orderRequest(), asCaller(alice.token));
    await stack.orders.getOrder(GetOrderRequest.create({ orderId: order?.id ?? '' }), asCaller(alice.token));
    const watch = readStream(
      stack.client.watchOrder(WatchOrderRequest.create({ orderId: order?.id ?? '' }), bearer(alice.token)),
    );
    await watch.received(1);
    await stack.orders.cancelOrder(
      CancelOrderRequest.create({ orderId: order?.id ?? '', reason: 'test' }),
      asCaller(alice.token),
    );
    await watch.ended;
    expect(await recorder.urlsOfPackage('file-type')).toEqual([]);
  });

  it('would be seen: FileTypeValidator loads it when it validates a file', async () => {
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
        '1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a5c50000000049454e44ae426082',
      'hex',
    );
    const validator = new FileTypeValidator({ fileType: 'image/png' });
    expect(await validator.isValid({ buffer: png, mimetype: 'image/png', size: png.length })).toBe(true);
    expect(await recorder.urlsOfPackage('file-type')).not.toEqual([]);
  });
});
