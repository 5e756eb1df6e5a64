// Conformance matrix, client side: every concern of the client chain (createClient +
// createClientChain), for each of the four call kinds, against the full server chain on one
// runtime (plain grpc-js here, NestJS in @platform/nest). Each test gets its own client and chain (retry budget, circuit) and
// its own principal (rate-limit bucket), so no test sees another's state.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { createMetricsRegistry } from '@platform/observability';
import { OrderServiceClient } from '@platform/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TokenProvider } from '../client/auth/auth-client-options.js';
import { createClientChain, type ClientChainOptions } from '../chain/client-chain.js';
import { createClient } from '../client/channel/create-client.js';
import {
  createTokenIssuer,
  type ConformanceRuntime,
  startConformanceServer,
  type ConformanceServer,
  type TokenIssuer,
} from './__fixtures__/conformance-server.js';
import { callKind } from './__fixtures__/kind-calls.js';
import {
  captureLogger,
  counterGrowth,
  labelsOf,
  methodOfKind,
  namedKinds,
  orderService,
  spansOfKind,
  traceToMemory,
} from './__fixtures__/observed.js';

const clientRegistry = createMetricsRegistry({ collectDefaultMetrics: false });
const clientLog = captureLogger('client-conformance');
/** The deadline the chain gives calls of every kind. */
const chainDeadlineMs = 8_000;

/** Unary and server-streaming calls are retried; client-streaming and bidi calls never are. */
const retried = (kind: string) => kind === 'unary' || kind === 'server_stream';

/**
 * The client side of the conformance matrix against one server runtime (a spec per runtime
 * calls it): every concern of the client chain, for each of the four call kinds.
 */
export function describeClientConformance(runtime: ConformanceRuntime): void {
  describe(`client chain to a ${runtime.name} server`, () => {
    const { exporter, tracing } = traceToMemory('client-conformance');
    afterAll(() => tracing.shutdown());

    let issuer: TokenIssuer;
    beforeAll(async () => {
      issuer = await createTokenIssuer();
    });

    let server: ConformanceServer;
    const clients: OrderServiceClient[] = [];

    beforeAll(async () => {
      server = await startConformanceServer(runtime, { issuer });
    });
    afterEach(() => {
      for (const client of clients.splice(0)) client.close();
      server.scripted.releaseAll();
      exporter.reset();
    });
    afterAll(() => server.stop());

    /** A client of a principal of its own, through a chain of its own; `options` override parts. */
    async function chainClient(options: ClientChainOptions = {}) {
      const { subject, token } = await issuer.freshToken();
      const provider = { calls: 0 } as TokenProvider & { calls: number };
      provider.getToken = () => {
        provider.calls += 1;
        return Promise.resolve({ token, expiresAt: Date.now() + 600_000 });
      };
      const interceptors = createClientChain({
        deadline: { defaultDeadlineMs: () => chainDeadlineMs },
        tracing: {},
        metrics: { registry: clientRegistry },
        logging: { logger: clientLog.logger },
        auth: { provider },
        retry: { random: () => 0, registry: clientRegistry },
        // Open longer than any call's deadline: the retry interceptor honours the RetryInfo of a
        // CIRCUIT_OPEN failure, and would otherwise wait for the circuit to half-open.
        circuitBreaker: { consecutiveFailures: 2, openMs: 60_000 },
        ...options,
      });
      const client = createClient(OrderServiceClient, server.address, { interceptors });
      clients.push(client);
      return { client, subject, token, provider };
    }

    describe.each(namedKinds)('%s', (_name, kind) => {
      it('deadline gives the call a deadline though the caller set none', async () => {
        const { client } = await chainClient();
        const before = Date.now();
        const outcome = await callKind(client, kind);
        const after = Date.now();
        expect(outcome.code).toBe(GrpcStatus.OK);
        const sent = server.scripted.visitsOf(outcome.requestId)[0]?.sentDeadline;
        expect(sent).toBeGreaterThanOrEqual(before + chainDeadlineMs - 1_000);
        expect(sent).toBeLessThanOrEqual(after + chainDeadlineMs + 1_000);
      });

      it('tracing opens one client span whose context reaches the server span', async () => {
        const { client } = await chainClient();
        const outcome = await callKind(client, kind);
        const [clientSpan, ...otherClientSpans] = spansOfKind(exporter, SpanKind.CLIENT);
        const [serverSpan] = spansOfKind(exporter, SpanKind.SERVER);
        expect(otherClientSpans).toEqual([]);
        expect(clientSpan?.name).toBe(`${orderService}/${methodOfKind[kind]}`);
        expect(clientSpan?.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.OK);
        expect(serverSpan?.spanContext().traceId).toBe(clientSpan?.spanContext().traceId);
        expect(server.scripted.visitsOf(outcome.requestId)[0]?.activeTraceId).toBe(
          clientSpan?.spanContext().traceId,
        );
        // A retryable call's attempt span sits between the client span and the server span.
        const parentOfServer = exporter
          .getFinishedSpans()
          .find((span) => span.spanContext().spanId === serverSpan?.parentSpanContext?.spanId);
        if (retried(kind)) {
          expect(parentOfServer?.attributes['grpc.attempt']).toBe(1);
          expect(parentOfServer?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
        } else {
          expect(parentOfServer).toBe(clientSpan);
        }
      });

      it(`metrics count one handled call with grpc_type ${kind} and code OK`, async () => {
        const { client } = await chainClient();
        const labels = labelsOf(kind);
        let started = 0;
        const handled = await counterGrowth(
          clientRegistry,
          'grpc_client_handled_total',
          { ...labels, grpc_code: 'OK' },
          async () => {
            started = await counterGrowth(clientRegistry, 'grpc_client_started_total', labels, () =>
              callKind(client, kind),
            );
          },
        );
        expect({ started, handled }).toEqual({ started: 1, handled: 1 });
      });

      it('logging writes one client line with the code and the client span ids', async () => {
        const { client } = await chainClient();
        const outcome = await callKind(client, kind);
        const [clientSpan] = spansOfKind(exporter, SpanKind.CLIENT);
        expect(clientLog.linesFor(outcome.requestId)).toEqual([
          expect.objectContaining({
            msg: 'finished call',
            'grpc.component': 'client',
            'grpc.type': kind,
            'grpc.method': methodOfKind[kind],
            'grpc.code': 'OK',
            trace_id: clientSpan?.spanContext().traceId,
            span_id: clientSpan?.spanContext().spanId,
          }),
        ]);
      });

      it('auth attaches the provider token: the handler sees its principal', async () => {
        const { client, subject, token, provider } = await chainClient();
        const outcome = await callKind(client, kind);
        expect(outcome.code).toBe(GrpcStatus.OK);
        const [visit] = server.scripted.visitsOf(outcome.requestId);
        expect(visit?.authorization).toBe(`Bearer ${token}`);
        expect(visit?.subject).toBe(subject);
        expect(provider.calls).toBe(1);
      });

      if (retried(kind)) {
        it('retry repeats a call that failed UNAVAILABLE before any response, and it succeeds', async () => {
          const { client } = await chainClient();
          const outcome = await callKind(client, kind, { scenario: 'unavailable-once' });
          expect(outcome.code).toBe(GrpcStatus.OK);
          expect(server.scripted.visitsOf(outcome.requestId).map((visit) => visit.attempt)).toEqual([1, 2]);
        });
      } else {
        it('retry makes exactly one attempt, though the method is idempotent and the server said UNAVAILABLE', async () => {
          const { client } = await chainClient();
          const outcome = await callKind(client, kind, { scenario: 'unavailable-once' });
          expect(outcome.code).toBe(GrpcStatus.UNAVAILABLE);
          expect(outcome.error?.reason).toBe('STORE_RESTARTING');
          expect(server.scripted.visitsOf(outcome.requestId).map((visit) => visit.attempt)).toEqual([1]);
        });
      }

      it('circuit breaker fails fast with UNAVAILABLE (CIRCUIT_OPEN) once the target kept failing', async () => {
        const { client } = await chainClient();
        for (let failure = 0; failure < 2; failure += 1) {
          expect((await callKind(client, kind, { scenario: 'crash' })).code).toBe(GrpcStatus.INTERNAL);
        }
        const outcome = await callKind(client, kind);
        expect(outcome.code).toBe(GrpcStatus.UNAVAILABLE);
        expect(outcome.error?.statusDetails.errorInfo).toMatchObject({
          reason: 'CIRCUIT_OPEN',
          domain: 'circuit-breaker.platform',
        });
        // Failing fast means the server never heard of the call (nor did a retry send it).
        expect(server.scripted.visitsOf(outcome.requestId)).toEqual([]);
      });
    });

    describe('with the default deadline options', () => {
      it.each(namedKinds)('gives a %s call the documented default', async (_name, kind) => {
        const { client } = await chainClient({ deadline: {} });
        const before = Date.now();
        const outcome = await callKind(client, kind);
        const sent = server.scripted.visitsOf(outcome.requestId)[0]?.sentDeadline;
        if (kind === 'unary') {
          // 10 000 ms for unary calls ...
          expect(sent).toBeGreaterThanOrEqual(before + 9_000);
          expect(sent).toBeLessThanOrEqual(Date.now() + 10_000 + 1_000);
        } else {
          // ... and none for streams, which are usually long-lived.
          expect(sent).toBeUndefined();
        }
      });
    });
  });
}
