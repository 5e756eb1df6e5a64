// The full server chain (createServerChain with every concern on) in front of the scripted
// OrderService, on a runtime: plain grpc-js (grpcJsRuntime), or one another package brings (the
// NestJS microservice of @platform/nest).
import type { ServerInterceptor, UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  OrderServiceService,
  type GetOrderRequest,
  type ImportOrdersRequest,
  type TrackOrdersRequest,
  type WatchOrderRequest,
} from '@platform/proto';
import { createMetricsRegistry } from '@platform/observability';
import type { Registry } from 'prom-client';
import type { RequestValidator } from '@platform/core';
import type { MethodType } from '../../call/method-info.js';
import type { TokenVerifier } from '../../server/auth/auth-options.js';
import { JwtVerifier } from '../../server/auth/jwt-verifier.js';
import { createTestKey, signToken, testAudience, testIssuer } from '../../server/auth/__fixtures__/tokens.js';
import { createServerChain, type ServerChainOptions } from '../../chain/server-chain.js';
import { InFlightCalls } from '../../server/shutdown/in-flight-calls.js';
import { captureLogger, type CapturedLogger } from './observed.js';
import { orderServiceImplementation, ScriptedOrders } from './scripted-orders.js';

/** What serves the scripted OrderService behind a chain: a server framework on grpc-js. */
export interface ConformanceRuntime {
  /** Named in the suites' titles: `grpc-js`, `NestJS`. */
  readonly name: string;
  /** Serves `scripted` on loopback behind `interceptors`. */
  start(service: {
    scripted: ScriptedOrders;
    interceptors: ServerInterceptor[];
  }): Promise<{ address: string; stop(): Promise<void> }>;
}

/** ErrorInfo domain of the conformance server. */
export const serverDomain = 'conformance.platform';

/** Deadlines the server gives calls that arrive without one, per kind. */
export const serverDefaultDeadlineMs: Record<MethodType, number> = {
  unary: 10_000,
  server_stream: 20_000,
  client_stream: 20_000,
  bidi_stream: 20_000,
};

/** Calls arriving with less time left are refused before auth. */
export const serverMinRemainingMs = 1_000;

/** Calls each principal may make (the rate limiter's clock stands still: no refill). */
export const rateLimitBurst = 4;
export const rateLimitPerSecond = 2;

const required = (field: string) => [{ field, description: 'is required', reason: 'REQUIRED' }];

/** A validator per method: the field each kind's requests must carry. */
export const orderValidators: Readonly<Record<string, RequestValidator>> = {
  [OrderServiceService.getOrder.path]: ((request: GetOrderRequest) =>
    request.orderId ? [] : required('order_id')) as RequestValidator,
  [OrderServiceService.watchOrder.path]: ((request: WatchOrderRequest) =>
    request.orderId ? [] : required('order_id')) as RequestValidator,
  [OrderServiceService.importOrders.path]: ((request: ImportOrdersRequest) =>
    request.order?.requestId ? [] : required('order.request_id')) as RequestValidator,
  [OrderServiceService.trackOrders.path]: ((request: TrackOrdersRequest) =>
    request.subscribeOrderId || request.unsubscribeOrderId ? [] : required('action')) as RequestValidator,
};

/** Signs tokens that the verifier it hands out accepts; counts the verifier's calls. */
export interface TokenIssuer {
  tokenFor(subject: string, roles?: readonly string[]): Promise<string>;
  /** Subject of a principal no other test uses, with its token: a fresh rate-limit bucket. */
  freshToken(): Promise<{ subject: string; token: string }>;
  readonly verifier: TokenVerifier & { readonly calls: number };
}

export async function createTokenIssuer(): Promise<TokenIssuer> {
  const key = await createTestKey('conformance-key');
  const jwt = new JwtVerifier({
    jwks: { keys: [key.publicJwk] },
    issuer: testIssuer,
    audience: testAudience,
  });
  let calls = 0;
  let subjects = 0;
  const tokenFor = (subject: string, roles: readonly string[] = ['user']) =>
    signToken(key, { subject, roles });
  return {
    tokenFor,
    freshToken: async () => {
      subjects += 1;
      const subject = `user-${subjects}`;
      return { subject, token: await tokenFor(subject) };
    },
    verifier: {
      get calls() {
        return calls;
      },
      verify: (token) => {
        calls += 1;
        return jwt.verify(token);
      },
    },
  };
}

/** The chain options of a service with every concern on. */
export function fullChainOptions(parts: {
  registry: Registry;
  log: CapturedLogger;
  inFlight: InFlightCalls;
  verifier: TokenVerifier;
}): ServerChainOptions {
  return {
    errors: { domain: serverDomain },
    tracing: {},
    metrics: { registry: parts.registry },
    logging: { logger: parts.log.logger },
    shutdown: parts.inFlight,
    deadline: {
      minRemainingMs: serverMinRemainingMs,
      defaultDeadlineMs: (method) => serverDefaultDeadlineMs[method.type],
    },
    auth: { verifier: parts.verifier },
    rateLimit: { ratePerSecond: rateLimitPerSecond, burst: rateLimitBurst, clock: () => 0 },
    validation: { validators: orderValidators },
  };
}

export interface ConformanceServer {
  readonly runtime: ConformanceRuntime;
  readonly address: string;
  readonly scripted: ScriptedOrders;
  readonly inFlight: InFlightCalls;
  readonly registry: Registry;
  readonly log: CapturedLogger;
  stop(): Promise<void>;
}

/** `startGrpcServer` of @platform/testing, which only specs may import: they hand it in. */
export type GrpcServerHarness = (options: {
  services: { definition: typeof OrderServiceService; implementation: UntypedServiceImplementation }[];
  interceptors: ServerInterceptor[];
}) => Promise<{ address: string; stop(): Promise<void> }>;

/** The scripted OrderService as a plain grpc-js service. */
export function grpcJsRuntime(startGrpcServer: GrpcServerHarness): ConformanceRuntime {
  return {
    name: 'grpc-js',
    start: ({ scripted, interceptors }) =>
      startGrpcServer({
        services: [
          {
            definition: OrderServiceService,
            implementation: orderServiceImplementation(scripted) as unknown as UntypedServiceImplementation,
          },
        ],
        interceptors,
      }),
  };
}

/**
 * Starts the scripted OrderService on the runtime behind the full chain; `adjust` may change
 * the chain options (a tighter rate limit, a concern left out).
 */
export async function startConformanceServer(
  runtime: ConformanceRuntime,
  setup: {
    issuer: TokenIssuer;
    adjust?: (options: ServerChainOptions) => ServerChainOptions;
  },
): Promise<ConformanceServer> {
  const { issuer, adjust = (options) => options } = setup;
  const scripted = new ScriptedOrders();
  const inFlight = new InFlightCalls();
  const registry = createMetricsRegistry({ collectDefaultMetrics: false });
  const log = captureLogger(`conformance-${runtime.name}`);
  const interceptors = createServerChain(
    adjust(fullChainOptions({ registry, log, inFlight, verifier: issuer.verifier })),
  );
  const server = await runtime.start({ scripted, interceptors });
  return {
    runtime,
    scripted,
    inFlight,
    registry,
    log,
    address: server.address,
    // Held calls are released first, so a server's drain does not wait for them.
    stop: () => {
      scripted.releaseAll();
      return server.stop();
    },
  };
}
