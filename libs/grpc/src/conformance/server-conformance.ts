// Conformance matrix, server side: every concern of the full server chain, for each of the four
// call kinds, on one runtime (plain grpc-js here, NestJS in @platform/nest). Each test asserts the concern's observable
// effect from outside (what the client got, spans, counters, log lines) or from the handler.
import { credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { OrderServiceClient } from '@platform/proto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { msFromDuration } from '@platform/core';
import { tracingClientInterceptor } from '../telemetry/tracing/tracing.client-interceptor.js';
import {
  createTokenIssuer,
  rateLimitBurst,
  rateLimitPerSecond,
  type ConformanceRuntime,
  serverDefaultDeadlineMs,
  serverDomain,
  serverMinRemainingMs,
  startConformanceServer,
  type ConformanceServer,
  type TokenIssuer,
} from './__fixtures__/conformance-server.js';
import { callKind, newRequestId, type KindCall } from './__fixtures__/kind-calls.js';
import {
  counterGrowth,
  labelsOf,
  methodOfKind,
  namedKinds,
  orderService,
  spansOfKind,
  traceToMemory,
} from './__fixtures__/observed.js';
import { okMessages } from './__fixtures__/scripted-orders.js';

/** Request messages each kind sends (kind-calls: streams send two). */
const requestsSent = { unary: 1, server_stream: 1, client_stream: 2, bidi_stream: 2 };

/**
 * The server side of the conformance matrix on one runtime (a spec per runtime calls it): every
 * concern of the full server chain, for each of the four call kinds.
 */
export function describeServerConformance(runtime: ConformanceRuntime): void {
  describe(`server chain on ${runtime.name}`, () => {
    const { exporter, tracing } = traceToMemory('server-conformance');
    afterAll(() => tracing.shutdown());

    let issuer: TokenIssuer;
    beforeAll(async () => {
      issuer = await createTokenIssuer();
    });

    let server: ConformanceServer;
    let client: OrderServiceClient;

    beforeAll(async () => {
      server = await startConformanceServer(runtime, { issuer });
      // Only a client span: the server's concerns are observed without the client chain's help.
      client = new OrderServiceClient(server.address, credentials.createInsecure(), {
        interceptors: [tracingClientInterceptor()],
      });
    });
    afterEach(() => {
      server.scripted.releaseAll();
      exporter.reset();
    });
    afterAll(async () => {
      client.close();
      await server.stop();
    });

    describe.each(namedKinds)('%s', (_name, kind) => {
      /** A call of this kind as a principal no other test uses, unless `spec` says otherwise. */
      const call = async (spec: KindCall = {}) =>
        callKind(client, kind, { token: (await issuer.freshToken()).token, ...spec });

      it('context runs the handler inside the call context, with the remaining deadline', async () => {
        const deadline = Date.now() + 8_000;
        const outcome = await call({ deadline });
        expect(outcome.code).toBe(GrpcStatus.OK);
        const [visit] = server.scripted.visitsOf(outcome.requestId);
        expect(visit?.contextType).toBe(kind);
        expect(visit?.remainingMs).toBeGreaterThan(0);
        expect(visit?.remainingMs).toBeLessThanOrEqual(8_000);
        expect(visit?.contextDeadline).toBe(visit?.sentDeadline);
      });

      it('tracing opens one server span per call, child of the client span', async () => {
        const outcome = await call();
        const [clientSpan, ...otherClientSpans] = spansOfKind(exporter, SpanKind.CLIENT);
        const [serverSpan, ...otherServerSpans] = spansOfKind(exporter, SpanKind.SERVER);
        expect(otherClientSpans).toEqual([]);
        expect(otherServerSpans).toEqual([]);
        expect(serverSpan?.name).toBe(`${orderService}/${methodOfKind[kind]}`);
        expect(serverSpan?.spanContext().traceId).toBe(clientSpan?.spanContext().traceId);
        expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
        expect(serverSpan?.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.OK);
        // The handler runs with the server span active (its logs and outgoing calls join the trace).
        const [visit] = server.scripted.visitsOf(outcome.requestId);
        expect(visit?.activeSpanId).toBe(serverSpan?.spanContext().spanId);
      });

      it(`metrics count the call as handled OK with grpc_type ${kind}, and its messages`, async () => {
        const labels = labelsOf(kind);
        let sent = 0;
        let received = 0;
        const handled = await counterGrowth(
          server.registry,
          'grpc_server_handled_total',
          { ...labels, grpc_code: 'OK' },
          async () => {
            sent = await counterGrowth(server.registry, 'grpc_server_msg_sent_total', labels, async () => {
              received = await counterGrowth(server.registry, 'grpc_server_msg_received_total', labels, call);
            });
          },
        );
        expect(handled).toBe(1);
        expect(received).toBe(requestsSent[kind]);
        expect(sent).toBe(okMessages[kind]);
      });

      it('logging writes one line with the code, the principal and the trace id', async () => {
        const { subject, token } = await issuer.freshToken();
        const outcome = await call({ token });
        const [visit] = server.scripted.visitsOf(outcome.requestId);
        expect(server.log.linesFor(outcome.requestId)).toEqual([
          expect.objectContaining({
            msg: 'finished call',
            'grpc.component': 'server',
            'grpc.type': kind,
            'grpc.method': methodOfKind[kind],
            'grpc.code': 'OK',
            principal: { subject, kind: 'user' },
            trace_id: visit?.activeTraceId,
          }),
        ]);
      });

      it('errors send a typed error to the client with its code and decoded details', async () => {
        const outcome = await call({ scenario: 'not-found' });
        expect(outcome.code).toBe(GrpcStatus.NOT_FOUND);
        expect(outcome.details).toBe('Order o-1 not found');
        expect(outcome.error?.statusDetails.errorInfo).toEqual({
          reason: 'ORDER_NOT_FOUND',
          domain: serverDomain,
          metadata: {},
        });
        expect(outcome.error?.statusDetails.resourceInfo).toMatchObject({
          resourceType: 'platform.order.v1.Order',
          resourceName: 'o-1',
        });
      });

      it('errors turn an unexpected failure into INTERNAL with an error id, never its message', async () => {
        const outcome = await call({ scenario: 'crash' });
        expect(outcome.code).toBe(GrpcStatus.INTERNAL);
        const errorId = outcome.error?.statusDetails.errorInfo?.metadata['errorId'];
        expect(outcome.details).toBe(`Internal error (error id ${errorId})`);
        expect(outcome.error?.statusDetails.errorInfo).toMatchObject({
          reason: 'INTERNAL',
          domain: serverDomain,
        });
        expect(server.log.linesFor(outcome.requestId)).toEqual([
          expect.objectContaining({
            'grpc.code': 'INTERNAL',
            error_id: errorId,
            err: expect.objectContaining({ message: 'Connection to the database was reset' }),
          }),
        ]);
      });

      it('deadline gives a call sent without one the server default of its kind', async () => {
        const outcome = await call();
        const [visit] = server.scripted.visitsOf(outcome.requestId);
        expect(visit?.sentDeadline).toBeUndefined();
        expect(visit?.remainingMs).toBeLessThanOrEqual(serverDefaultDeadlineMs[kind]);
        expect(visit?.remainingMs).toBeGreaterThan(serverDefaultDeadlineMs[kind] - 5_000);
      });

      it('deadline refuses a call with less than the minimum left, before auth and the handler', async () => {
        const verified = issuer.verifier.calls;
        const outcome = await call({ deadline: Date.now() + serverMinRemainingMs / 2 });
        expect(outcome.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
        expect(outcome.details).toMatch(/^Deadline too close to start/);
        expect(outcome.error?.statusDetails.errorInfo).toMatchObject({
          reason: 'DEADLINE_EXCEEDED',
          domain: serverDomain,
        });
        expect(issuer.verifier.calls).toBe(verified);
        expect(server.scripted.visitsOf(outcome.requestId)).toEqual([]);
      });

      it('auth gives the handler the principal of the token', async () => {
        const { subject, token } = await issuer.freshToken();
        const outcome = await call({ token });
        expect(outcome.code).toBe(GrpcStatus.OK);
        expect(server.scripted.visitsOf(outcome.requestId).map((visit) => visit.subject)).toEqual([subject]);
      });

      it('auth rejects a missing token with UNAUTHENTICATED', async () => {
        const outcome = await call({ token: undefined });
        expect(outcome.code).toBe(GrpcStatus.UNAUTHENTICATED);
        expect(outcome.error?.statusDetails.errorInfo).toEqual({
          reason: 'TOKEN_MISSING',
          domain: serverDomain,
          metadata: {},
        });
        expect(server.scripted.visitsOf(outcome.requestId)).toEqual([]);
      });

      it('rate limit refuses a call over the burst with RESOURCE_EXHAUSTED and RetryInfo', async () => {
        const { subject, token } = await issuer.freshToken();
        for (let admitted = 0; admitted < rateLimitBurst; admitted += 1) {
          expect((await call({ token })).code).toBe(GrpcStatus.OK);
        }
        const outcome = await call({ token });
        expect(outcome.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
        const details = outcome.error?.statusDetails;
        expect(details?.errorInfo).toMatchObject({ reason: 'RATE_LIMITED', domain: serverDomain });
        // The limiter's clock stands still: the next token is one refill interval away.
        const retryDelay = details?.retryInfo?.retryDelay;
        expect(retryDelay && msFromDuration(retryDelay)).toBe(1000 / rateLimitPerSecond);
        expect(details?.quotaFailure?.violations.map((violation) => violation.subject)).toEqual([subject]);
        expect(server.scripted.visitsOf(outcome.requestId)).toEqual([]);
      });

      it('validation refuses an invalid request with INVALID_ARGUMENT and its field violations', async () => {
        const outcome = await call({ invalid: true });
        expect(outcome.code).toBe(GrpcStatus.INVALID_ARGUMENT);
        const field = {
          unary: 'order_id',
          server_stream: 'order_id',
          client_stream: 'order.request_id',
          bidi_stream: 'action',
        }[kind];
        expect(outcome.error?.statusDetails.badRequest?.fieldViolations).toEqual([
          expect.objectContaining({ field, description: 'is required', reason: 'REQUIRED' }),
        ]);
        expect(outcome.error?.statusDetails.errorInfo).toMatchObject({
          reason: 'INVALID_REQUEST',
          domain: serverDomain,
        });
      });

      it('shutdown tracks the call in flight until it ends', async () => {
        const requestId = newRequestId();
        const ending = call({ scenario: 'hang', requestId });
        await server.scripted.whenVisited(requestId);
        const longLived = kind === 'server_stream' || kind === 'bidi_stream';
        expect(server.inFlight.counts).toEqual({ requests: longLived ? 0 : 1, streams: longLived ? 1 : 0 });
        server.scripted.releaseAll();
        expect((await ending).code).toBe(GrpcStatus.OK);
        expect(server.inFlight.counts).toEqual({ requests: 0, streams: 0 });
      });
    });

    describe('once shutdown began', () => {
      beforeAll(() => server.inFlight.close());

      it.each(namedKinds)(
        'refuses a new %s call with UNAVAILABLE (SHUTTING_DOWN) before its handler',
        async (_name, kind) => {
          const outcome = await callKind(client, kind, { token: (await issuer.freshToken()).token });
          expect(outcome.code).toBe(GrpcStatus.UNAVAILABLE);
          expect(outcome.error?.statusDetails.errorInfo).toEqual({
            reason: 'SHUTTING_DOWN',
            domain: serverDomain,
            metadata: {},
          });
          expect(server.scripted.visitsOf(outcome.requestId)).toEqual([]);
        },
      );
    });
  });
}
