// The client chain's order is fixed and documented (client-chain.ts, the package README); these
// tests check the order itself, then prove against a fault-injecting server why it matters.
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { createMetricsRegistry } from '@platform/observability';
import { GetOrderRequest, OrderServiceClient, OrderServiceService } from '@platform/proto';
import { startFaultServer, type FaultServer } from '@platform/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TokenProvider } from '../client/auth/auth-client-options.js';
import { createClient } from '../client/channel/create-client.js';
import { unaryCall } from '../client/channel/unary-call.js';
import { ClientError } from '../client/errors/client-error.js';
import {
  captureLogger,
  counterGrowth,
  labelsOf,
  spansOfKind,
  traceToMemory,
} from '../conformance/__fixtures__/observed.js';
import {
  clientChainOrder,
  createClientChain,
  describeClientChain,
  type ClientChainOptions,
  type ClientChainStep,
} from './client-chain.js';

const documentedOrder: ClientChainStep[] = [
  'deadline',
  'tracing',
  'metrics',
  'logging',
  'auth',
  'retry',
  'circuitBreaker',
];

const getOrder = OrderServiceService.getOrder.path;
const unavailable = { code: GrpcStatus.UNAVAILABLE };

const { exporter, tracing } = traceToMemory('client-chain-spec');
afterAll(() => tracing.shutdown());

const registry = createMetricsRegistry({ collectDefaultMetrics: false });
const log = captureLogger('client-chain-spec');

function countingProvider(): TokenProvider & { calls: number } {
  const provider = {
    calls: 0,
    getToken: () => {
      provider.calls += 1;
      return Promise.resolve({ token: 'service-token', expiresAt: Date.now() + 600_000 });
    },
  };
  return provider;
}

function everyConcernOn(): ClientChainOptions {
  return {
    deadline: { defaultDeadlineMs: 2_000 },
    tracing: {},
    metrics: { registry },
    logging: { logger: log.logger },
    auth: { provider: countingProvider() },
    retry: { random: () => 0, registry },
    circuitBreaker: { consecutiveFailures: 3, openMs: 60_000 },
  };
}

describe('the client chain order', () => {
  it('is the documented one with every concern on', () => {
    expect(clientChainOrder).toEqual(documentedOrder);
    expect(describeClientChain(everyConcernOn()).map(({ step }) => step)).toEqual(documentedOrder);
    // deadline to auth run in one grpc-js layer; retry makes the call below once per attempt, so
    // it and the circuit breaker it drives stay layers of their own.
    expect(createClientChain(everyConcernOn())).toHaveLength(3);
  });

  it.each(documentedOrder)('leaves %s out when it is false, keeping the others in order', (step) => {
    const steps = describeClientChain({ ...everyConcernOn(), [step]: false }).map((entry) => entry.step);
    expect(steps).toEqual(documentedOrder.filter((candidate) => candidate !== step));
  });

  it('keeps the default deadlines and retries when nothing is configured', () => {
    expect(describeClientChain({}).map(({ step }) => step)).toEqual(['deadline', 'retry']);
  });
});

describe('against a fault-injecting server', () => {
  let server: FaultServer;
  const clients: OrderServiceClient[] = [];
  beforeAll(async () => {
    server = await startFaultServer();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    server.reset();
    exporter.reset();
  });
  afterAll(() => server.stop());

  function chainClient(options: ClientChainOptions = everyConcernOn()): OrderServiceClient {
    const client = createClient(OrderServiceClient, server.address, {
      interceptors: createClientChain(options),
    });
    clients.push(client);
    return client;
  }

  const requestId = () => {
    const metadata = new Metadata();
    metadata.set('x-request-id', `call-${Math.random()}`);
    return metadata;
  };

  describe('a call retried twice', () => {
    it('has its attempt spans as children of the client span, each the parent the server got', async () => {
      server.script(getOrder, { faults: [unavailable, unavailable] });
      const client = chainClient();
      await unaryCall(client.getOrder.bind(client), GetOrderRequest.create({ orderId: 'o-1' }));
      const [clientSpan, ...otherClientSpans] = spansOfKind(exporter, SpanKind.CLIENT);
      expect(otherClientSpans).toEqual([]);
      const attempts = exporter
        .getFinishedSpans()
        .filter((span) => span.attributes['grpc.attempt'] !== undefined);
      expect(attempts.map((span) => span.attributes['grpc.attempt'])).toEqual([1, 2, 3]);
      for (const attempt of attempts) {
        expect(attempt.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
        expect(attempt.spanContext().traceId).toBe(clientSpan?.spanContext().traceId);
      }
      const sentParents = server
        .attempts(getOrder)
        .map((attempt) => String(attempt.metadata.get('traceparent')[0]).split('-')[2]);
      expect(sentParents).toEqual(attempts.map((span) => span.spanContext().spanId));
    });

    it('is counted once as handled OK; the retries have their own counter', async () => {
      server.script(getOrder, { faults: [unavailable, unavailable] });
      const client = chainClient();
      const labels = labelsOf('unary');
      let retries = 0;
      let failedAttempts = 0;
      const handled = await counterGrowth(registry, 'grpc_client_handled_total', labels, async () => {
        failedAttempts = await counterGrowth(
          registry,
          'grpc_client_handled_total',
          { ...labels, grpc_code: 'UNAVAILABLE' },
          async () => {
            retries = await counterGrowth(registry, 'grpc_client_retries_total', {}, () =>
              unaryCall(client.getOrder.bind(client), GetOrderRequest.create({ orderId: 'o-1' })),
            );
          },
        );
      });
      expect({ handled, failedAttempts, retries }).toEqual({ handled: 1, failedAttempts: 0, retries: 2 });
    });

    it('is logged once, with its final code', async () => {
      server.script(getOrder, { faults: [unavailable, unavailable] });
      const client = chainClient();
      const metadata = requestId();
      await unaryCall(client.getOrder.bind(client), GetOrderRequest.create({ orderId: 'o-1' }), metadata);
      expect(log.linesFor(String(metadata.get('x-request-id')[0]))).toEqual([
        expect.objectContaining({ 'grpc.code': 'OK' }),
      ]);
    });

    it('fetches its token once, and every attempt carries it', async () => {
      server.script(getOrder, { faults: [unavailable, unavailable] });
      const provider = countingProvider();
      const client = chainClient({ ...everyConcernOn(), auth: { provider } });
      await unaryCall(client.getOrder.bind(client), GetOrderRequest.create({ orderId: 'o-1' }));
      expect(provider.calls).toBe(1);
      expect(server.attempts(getOrder).map((attempt) => attempt.metadata.get('authorization'))).toEqual([
        ['Bearer service-token'],
        ['Bearer service-token'],
        ['Bearer service-token'],
      ]);
    });
  });

  describe('the deadline', () => {
    it('gives every attempt the call deadline, not a fresh one', async () => {
      // The server asks for 250 ms between attempts: a fresh deadline per attempt would move
      // by that much each time.
      server.script(getOrder, {
        faults: [
          { ...unavailable, pushbackMs: 250 },
          { ...unavailable, pushbackMs: 250 },
        ],
      });
      const client = chainClient({ ...everyConcernOn(), deadline: { defaultDeadlineMs: 5_000 } });
      await unaryCall(client.getOrder.bind(client), GetOrderRequest.create({ orderId: 'o-1' }));
      const attempts = server.attempts(getOrder);
      expect(attempts).toHaveLength(3);
      const [first] = attempts;
      for (const attempt of attempts) {
        expect(Math.abs((attempt.deadline ?? 0) - (first?.deadline ?? Number.NaN))).toBeLessThan(150);
      }
    });

    it('bounds the retries: no attempt is made that could not start before it', async () => {
      // The server asks for 1 s before a retry; the call has 500 ms.
      server.script(getOrder, { thenFault: { ...unavailable, pushbackMs: 1_000 } });
      const client = chainClient({
        ...everyConcernOn(),
        deadline: { defaultDeadlineMs: 500 },
        retry: { maxAttempts: 5, random: () => 0 },
      });
      const error = await unaryCall(
        client.getOrder.bind(client),
        GetOrderRequest.create({ orderId: 'o-1' }),
      ).catch((caught: unknown) => caught);
      // The caller gets the attempt's own status at once, not DEADLINE_EXCEEDED after a sleep.
      expect((error as ClientError).code).toBe(GrpcStatus.UNAVAILABLE);
      expect(server.attempts(getOrder)).toHaveLength(1);
    });
  });

  describe('the circuit breaker after retry', () => {
    it('judges every attempt: the failed attempts of one call open the circuit', async () => {
      server.script(getOrder, { faults: [unavailable, unavailable, unavailable] });
      const client = chainClient();
      const error = await unaryCall(
        client.getOrder.bind(client),
        GetOrderRequest.create({ orderId: 'o-1' }),
      ).catch((caught: unknown) => caught);
      // Attempts 1-3 reached the server and failed; the 4th failed fast on the open circuit.
      expect(server.attempts(getOrder)).toHaveLength(3);
      expect((error as ClientError).reason).toBe('CIRCUIT_OPEN');
    });

    it('fails fast while open: retry does not wait out the open interval and probe', async () => {
      // Regression: the open circuit's RetryInfo used to make retry sleep until half-open and
      // send the call again as the probe (answered OK after ~openMs). The breaker now adds a
      // negative pushback ("do not retry") to its fail-fast answer.
      server.script(getOrder, { faults: [unavailable, unavailable] });
      const client = chainClient({
        ...everyConcernOn(),
        deadline: { defaultDeadlineMs: 30_000 },
        circuitBreaker: { consecutiveFailures: 2, openMs: 1_500 },
      });

      const error = await unaryCall(
        client.getOrder.bind(client),
        GetOrderRequest.create({ orderId: 'o-1' }),
      ).catch((caught: unknown) => caught);

      expect((error as ClientError).reason).toBe('CIRCUIT_OPEN');
      expect(server.attempts(getOrder)).toHaveLength(2);
    });
  });
});
