// The server chain's order is fixed and documented (server-chain.ts, the package README); these
// tests check the order itself, then prove on real servers why each position matters.
import { credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createMetricsRegistry } from '@platform/observability';
import { OrderServiceClient } from '@platform/proto';
import { startGrpcServer } from '@platform/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestKey, signToken } from '../server/auth/__fixtures__/tokens.js';
import {
  createTokenIssuer,
  fullChainOptions,
  grpcJsRuntime,
  startConformanceServer,
  type ConformanceServer,
  type TokenIssuer,
} from '../conformance/__fixtures__/conformance-server.js';
import { callKind } from '../conformance/__fixtures__/kind-calls.js';
import {
  captureLogger,
  counterGrowth,
  labelsOf,
  namedKinds,
  spansOfKind,
  traceToMemory,
} from '../conformance/__fixtures__/observed.js';
import { InFlightCalls } from '../server/shutdown/in-flight-calls.js';
import { tracingClientInterceptor } from '../telemetry/tracing/tracing.client-interceptor.js';
import {
  createServerChain,
  describeServerChain,
  serverChainOrder,
  type ServerChainOptions,
  type ServerChainStep,
} from './server-chain.js';

const documentedOrder: ServerChainStep[] = [
  'context',
  'tracing',
  'metrics',
  'logging',
  'errors',
  'shutdown',
  'deadline',
  'auth',
  'rateLimit',
  'utf8',
  'validation',
];

const { exporter, tracing } = traceToMemory('server-chain-spec');
afterAll(() => tracing.shutdown());

let issuer: TokenIssuer;
beforeAll(async () => {
  issuer = await createTokenIssuer();
});

function everyConcernOn(): ServerChainOptions {
  return fullChainOptions({
    registry: createMetricsRegistry({ collectDefaultMetrics: false }),
    log: captureLogger('server-chain-spec'),
    inFlight: new InFlightCalls(),
    verifier: issuer.verifier,
  });
}

describe('the server chain order', () => {
  it('is the documented one with every concern on', () => {
    expect(serverChainOrder).toEqual(documentedOrder);
    expect(describeServerChain(everyConcernOn()).map(({ step }) => step)).toEqual(documentedOrder);
    // One grpc-js interceptor runs them all: a layer per concern costs a layer's queues per call.
    expect(createServerChain(everyConcernOn())).toHaveLength(1);
  });

  const optional = [
    'tracing',
    'metrics',
    'logging',
    'shutdown',
    'deadline',
    'auth',
    'rateLimit',
    'validation',
  ] as const;

  it.each(optional)('leaves %s out when it is false, keeping the others in order', (step) => {
    const steps = describeServerChain({ ...everyConcernOn(), [step]: false }).map((entry) => entry.step);
    expect(steps).toEqual(documentedOrder.filter((candidate) => candidate !== step));
  });

  it('keeps context, errors, the default deadlines and utf8 when only errors are configured', () => {
    expect(describeServerChain({ errors: { domain: 'test.platform' } }).map(({ step }) => step)).toEqual([
      'context',
      'errors',
      'deadline',
      'utf8',
    ]);
  });
});

describe('on a real server', () => {
  let server: ConformanceServer;
  let client: OrderServiceClient;
  beforeAll(async () => {
    server = await startConformanceServer(grpcJsRuntime(startGrpcServer), { issuer });
    client = new OrderServiceClient(server.address, credentials.createInsecure(), {
      interceptors: [tracingClientInterceptor()],
    });
  });
  afterEach(() => exporter.reset());
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  // Tracing, metrics and logging sit before auth: a rejected call is as visible as any other.
  describe.each(namedKinds)('a %s call rejected by auth', (_name, kind) => {
    const reject = () => callKind(client, kind);

    it('is traced: a server span with UNAUTHENTICATED, child of the client span', async () => {
      expect((await reject()).code).toBe(GrpcStatus.UNAUTHENTICATED);
      const [span, ...others] = spansOfKind(exporter, SpanKind.SERVER);
      const [clientSpan] = spansOfKind(exporter, SpanKind.CLIENT);
      expect(others).toEqual([]);
      expect(span?.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.UNAUTHENTICATED);
      // The span opened from the call's metadata, before auth refused it.
      expect(span?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    });

    it('is counted: grpc_server_handled_total{grpc_code="UNAUTHENTICATED"}', async () => {
      const labels = { ...labelsOf(kind), grpc_code: 'UNAUTHENTICATED' };
      expect(await counterGrowth(server.registry, 'grpc_server_handled_total', labels, reject)).toBe(1);
    });

    it('is logged: one line with the code UNAUTHENTICATED, in the client span trace', async () => {
      const outcome = await reject();
      const [clientSpan] = spansOfKind(exporter, SpanKind.CLIENT);
      expect(server.log.linesFor(outcome.requestId)).toEqual([
        expect.objectContaining({
          'grpc.code': 'UNAUTHENTICATED',
          'grpc.message': 'Authentication required',
          trace_id: clientSpan?.spanContext().traceId,
        }),
      ]);
    });
  });

  // The error interceptor sits after tracing, metrics and logging: they see its mapping.
  describe.each(namedKinds)('an unexpected %s handler error', (_name, kind) => {
    const crash = async () =>
      callKind(client, kind, { scenario: 'crash', token: (await issuer.freshToken()).token });

    it('is traced as INTERNAL, a failed span', async () => {
      expect((await crash()).code).toBe(GrpcStatus.INTERNAL);
      const [span] = spansOfKind(exporter, SpanKind.SERVER);
      expect(span?.attributes['rpc.grpc.status_code']).toBe(GrpcStatus.INTERNAL);
      expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    });

    it('is counted as INTERNAL, never UNKNOWN', async () => {
      const labels = labelsOf(kind);
      let unknown = 0;
      const internal = await counterGrowth(
        server.registry,
        'grpc_server_handled_total',
        { ...labels, grpc_code: 'INTERNAL' },
        async () => {
          unknown = await counterGrowth(
            server.registry,
            'grpc_server_handled_total',
            { ...labels, grpc_code: 'UNKNOWN' },
            crash,
          );
        },
      );
      expect({ internal, unknown }).toEqual({ internal: 1, unknown: 0 });
    });

    it('is logged as INTERNAL with the error id the client got', async () => {
      const outcome = await crash();
      expect(server.log.linesFor(outcome.requestId)).toEqual([
        expect.objectContaining({
          'grpc.code': 'INTERNAL',
          error_id: outcome.error?.statusDetails.errorInfo?.metadata['errorId'],
        }),
      ]);
    });
  });

  // Metrics sit before the deadline interceptor, which gives calls without one a default.
  describe('a unary call sent without a deadline', () => {
    it('is counted in grpc_server_calls_without_deadline_total, though the server gave it one', async () => {
      const { token } = await issuer.freshToken();
      let outcome: Awaited<ReturnType<typeof callKind>> | undefined;
      const counted = await counterGrowth(
        server.registry,
        'grpc_server_calls_without_deadline_total',
        labelsOf('unary'),
        async () => (outcome = await callKind(client, 'unary', { token })),
      );
      expect(counted).toBe(1);
      expect(server.scripted.visitsOf(outcome?.requestId ?? '')[0]?.contextDeadline).toBeDefined();
    });
  });

  describe('a call with too little deadline left', () => {
    it('is refused DEADLINE_EXCEEDED before auth verifies its token', async () => {
      const { token } = await issuer.freshToken();
      const verified = issuer.verifier.calls;
      const outcome = await callKind(client, 'unary', { token, deadline: Date.now() + 300 });
      expect(outcome.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(issuer.verifier.calls).toBe(verified);
      // The same token on a call with time left is verified: the count above could move.
      expect((await callKind(client, 'unary', { token })).code).toBe(GrpcStatus.OK);
      expect(issuer.verifier.calls).toBe(verified + 1);
    });
  });

  // A caller who is not admitted learns nothing about the validity of its request, even while its
  // token is being verified (grpc-js reads no message before the whole chain passed the metadata).
  describe.each(namedKinds)('an invalid %s request with a forged token', (_name, kind) => {
    it('is refused UNAUTHENTICATED (TOKEN_INVALID), not INVALID_ARGUMENT', async () => {
      const forger = await createTestKey('conformance-key');
      const outcome = await callKind(client, kind, { invalid: true, token: await signToken(forger) });
      expect(outcome.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(outcome.error?.reason).toBe('TOKEN_INVALID');
    });
  });
});

describe('rate limiting after auth', () => {
  let server: ConformanceServer;
  let client: OrderServiceClient;
  beforeAll(async () => {
    server = await startConformanceServer(grpcJsRuntime(startGrpcServer), {
      issuer,
      adjust: (options) => ({ ...options, rateLimit: { ratePerSecond: 1, burst: 1, clock: () => 0 } }),
    });
    client = new OrderServiceClient(server.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('keeps a bucket per principal: two principals with a burst of 1 each pass once', async () => {
    const alice = await issuer.tokenFor('alice');
    const bob = await issuer.tokenFor('bob');
    expect((await callKind(client, 'unary', { token: alice })).code).toBe(GrpcStatus.OK);
    expect((await callKind(client, 'unary', { token: bob })).code).toBe(GrpcStatus.OK);
    expect((await callKind(client, 'unary', { token: alice })).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect((await callKind(client, 'unary', { token: bob })).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
  });
});

describe('a call refused while shutting down', () => {
  let server: ConformanceServer;
  let client: OrderServiceClient;
  beforeAll(async () => {
    server = await startConformanceServer(grpcJsRuntime(startGrpcServer), { issuer });
    server.inFlight.close();
    client = new OrderServiceClient(server.address, credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  // Shutdown sits after metrics, logging and errors: the refusal is counted, logged and well-formed.
  it('is counted and logged UNAVAILABLE, with the service ErrorInfo domain', async () => {
    const { token } = await issuer.freshToken();
    let outcome: Awaited<ReturnType<typeof callKind>> | undefined;
    const counted = await counterGrowth(
      server.registry,
      'grpc_server_handled_total',
      { ...labelsOf('unary'), grpc_code: 'UNAVAILABLE' },
      async () => (outcome = await callKind(client, 'unary', { token })),
    );
    expect(counted).toBe(1);
    expect(outcome?.error?.statusDetails.errorInfo).toMatchObject({
      reason: 'SHUTTING_DOWN',
      domain: 'conformance.platform',
    });
    expect(server.log.linesFor(outcome?.requestId ?? '')).toEqual([
      expect.objectContaining({ 'grpc.code': 'UNAVAILABLE' }),
    ]);
  });
});
