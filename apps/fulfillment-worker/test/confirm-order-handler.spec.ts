// The handler's error mapping, against a fake of the worker's own OrderConfirmer port: which
// ConfirmOrder answers finish the event, dead-letter it (PermanentEventError) or retry it.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { PermanentEventError, type EventContext } from '@platform/events';
import {
  currentScope,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  openCall,
  PermissionDeniedError,
  PlatformError,
  ResourceExhaustedError,
  runInCall,
  UnauthenticatedError,
  UnavailableError,
  type CallScope,
} from '@platform/core';
import { ClientError } from '@platform/grpc';
import { createLogger } from '@platform/observability';
import { OrderCreated, OrderStatus, type Order } from '@platform/proto';
import { describe, expect, it } from 'vitest';
import { classifyConfirmFailure, confirmOrderOnCreated, type OrderConfirmer } from '../src/index.js';

const logger = createLogger({ name: 'fulfillment-worker-test', level: 'silent' });

/** A server-side error as the client receives it: code, message and google.rpc details in the trailers. */
function onTheWire(error: PlatformError): ClientError {
  return ClientError.from({ code: error.code, details: error.message, metadata: error.metadata });
}

function stateConflict(status: string): ClientError {
  return onTheWire(
    new FailedPreconditionError(
      `Order o-1 is ${status} and cannot be confirmed`,
      [{ type: 'ORDER_STATUS', subject: 'orders/o-1', description: `the order is ${status}` }],
      { reason: 'ORDER_STATE_CONFLICT', domain: 'order.platform', metadata: { status } },
    ),
  );
}

/** A fake order service: records the calls (with the call scope each was made in) and answers with `answer`. */
function fakeOrders(answer: () => Promise<void>) {
  const calls: { orderId: string; scope: CallScope | undefined }[] = [];
  const port: OrderConfirmer = {
    async confirm(orderId) {
      calls.push({ orderId, scope: currentScope() });
      await answer();
    },
  };
  return { port, calls };
}

function context(
  signal = new AbortController().signal,
  { stopping = new AbortController().signal, attempt = 1 } = {},
): EventContext {
  return {
    envelope: {
      id: 'event-1',
      type: 'platform.order.v1.OrderCreated',
      source: '/platform/order-service',
      subject: 'o-1',
      time: new Date(),
    },
    topic: 'order.events.v1',
    partition: 0,
    offset: '0',
    tx: undefined,
    attempt,
    signal,
    stopping,
  };
}

function created(orderId = 'o-1'): OrderCreated {
  return OrderCreated.create({ order: { id: orderId, status: OrderStatus.ORDER_STATUS_PENDING } as Order });
}

/** Runs the handler in a call scope of its own, as the consumer runtime runs each attempt. */
async function handle(answer: () => Promise<void>, event = created()) {
  const { port, calls } = fakeOrders(answer);
  const binding = confirmOrderOnCreated(port, logger);
  const { scope, close } = openCall({
    name: 'fulfillment-worker/platform.order.v1.OrderCreated',
    timeoutMs: 30_000,
  });
  const outcome = await runInCall(scope, () => binding.handle(event, context(scope.signal)))
    .then(
      () => 'done' as const,
      (error: unknown) => error,
    )
    .finally(close);
  return { outcome, calls, scope };
}

describe('confirmOrderOnCreated', () => {
  it("binds OrderCreated and confirms the order in the handler's call scope (its deadline and signal)", async () => {
    const { port } = fakeOrders(async () => undefined);
    expect(confirmOrderOnCreated(port, logger).eventType.type).toBe('platform.order.v1.OrderCreated');
    const { outcome, calls, scope } = await handle(async () => undefined);
    expect(outcome).toBe('done');
    expect(calls).toEqual([{ orderId: 'o-1', scope }]);
  });

  it('finishes the event when the order was cancelled first (ORDER_STATE_CONFLICT, ORDER_STATUS_CANCELLED)', async () => {
    const { outcome, calls } = await handle(async () => {
      throw stateConflict('ORDER_STATUS_CANCELLED');
    });
    expect(outcome).toBe('done');
    expect(calls).toHaveLength(1);
  });

  it.each([
    [
      'NOT_FOUND',
      () => new NotFoundError('Order o-1 not found', { resourceType: 'order', resourceName: 'o-1' }),
    ],
    [
      'INVALID_ARGUMENT',
      () => new InvalidArgumentError('Invalid request', [{ field: 'order_id', description: 'malformed' }]),
    ],
    ['PERMISSION_DENIED', () => new PermissionDeniedError('Permission denied: a required role is missing')],
    ['UNAUTHENTICATED', () => new UnauthenticatedError('Access token expired', { reason: 'TOKEN_EXPIRED' })],
  ])('dead-letters %s: a retry would get the same answer', async (_code, error) => {
    const answer = onTheWire(error());
    const { outcome } = await handle(async () => {
      throw answer;
    });
    expect(outcome).toBeInstanceOf(PermanentEventError);
    expect((outcome as PermanentEventError).cause).toBe(answer);
    expect((outcome as Error).message).toContain(answer.message);
  });

  it('dead-letters a state conflict that is not a cancellation, and any other FAILED_PRECONDITION', async () => {
    for (const answer of [
      stateConflict('ORDER_STATUS_ARCHIVED'),
      onTheWire(new FailedPreconditionError('Something else', [], { reason: 'SOMETHING_ELSE' })),
    ]) {
      const { outcome } = await handle(async () => {
        throw answer;
      });
      expect(outcome).toBeInstanceOf(PermanentEventError);
    }
  });

  it.each([
    ['UNAVAILABLE', onTheWire(new UnavailableError('Order service unavailable'))],
    ['DEADLINE_EXCEEDED', new ClientError(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded')],
    [
      'RESOURCE_EXHAUSTED',
      onTheWire(new ResourceExhaustedError('Rate limit exceeded', { retryDelayMs: 100 })),
    ],
    ['INTERNAL', new ClientError(GrpcStatus.INTERNAL, 'Internal error (error id 1)')],
    ['CANCELLED', new ClientError(GrpcStatus.CANCELLED, 'Cancelled on client')],
    ['UNKNOWN', new ClientError(GrpcStatus.UNKNOWN, 'boom')],
    ['an error without a code', new Error('socket hang up')],
  ])('rethrows %s as is, for the runtime to retry', async (_code, answer) => {
    const { outcome } = await handle(async () => {
      throw answer;
    });
    expect(outcome).toBe(answer);
    expect(outcome).not.toBeInstanceOf(PermanentEventError);
  });

  it('dead-letters an OrderCreated without an order id without calling the order service', async () => {
    const { outcome, calls } = await handle(async () => undefined, OrderCreated.create({ order: null }));
    expect(outcome).toBeInstanceOf(PermanentEventError);
    expect(calls).toHaveLength(0);
  });
});

describe('fulfillment duration (FULFILLMENT_DURATION)', () => {
  type Line = { msg: string };
  function recorded() {
    const lines: Line[] = [];
    const log = createLogger({
      name: 'fulfillment-worker-test',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
    });
    return { lines, log };
  }

  it('fulfils first, then confirms', async () => {
    const { lines, log } = recorded();
    const { port, calls } = fakeOrders(async () => {
      lines.push({ msg: 'ConfirmOrder called' });
    });
    await confirmOrderOnCreated(port, log, { fulfillmentMs: 20 }).handle(created(), context());
    expect(calls.map((call) => call.orderId)).toEqual(['o-1']);
    expect(lines.map((line) => line.msg)).toEqual([
      'fulfilling order',
      'ConfirmOrder called',
      'order confirmed',
    ]);
  });

  it('gives up as soon as the consumer stops, without confirming', async () => {
    const { lines, log } = recorded();
    const { port, calls } = fakeOrders(async () => undefined);
    const stop = new AbortController();
    const reason = new Error('the consumer is stopping');
    // An hour: the test only ends because the stop ends the wait.
    const handled = confirmOrderOnCreated(port, log, { fulfillmentMs: 3_600_000 }).handle(
      created(),
      context(undefined, { stopping: stop.signal }),
    );
    // The handler runs synchronously up to its wait.
    expect(lines.map((line) => line.msg)).toEqual(['fulfilling order']);
    stop.abort(reason);
    await expect(handled).rejects.toBe(reason);
    expect(calls).toEqual([]);
  });

  it('does not wait again on a retry of the same delivery', async () => {
    const { port, calls } = fakeOrders(async () => undefined);
    await confirmOrderOnCreated(port, logger, { fulfillmentMs: 3_600_000 }).handle(
      created(),
      context(undefined, { attempt: 2 }),
    );
    expect(calls).toHaveLength(1);
  });
});

describe('classifyConfirmFailure', () => {
  it('reads the code from a grpc-js ServiceError as well as from a ClientError', () => {
    const serviceError = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: GrpcStatus.UNAVAILABLE,
      details: 'No connection established',
    });
    expect(classifyConfirmFailure(serviceError)).toBe('transient');
    expect(classifyConfirmFailure({ code: GrpcStatus.NOT_FOUND, details: 'not found' })).toBe('permanent');
    expect(classifyConfirmFailure(stateConflict('ORDER_STATUS_CANCELLED'))).toBe('order-cancelled');
  });
});
