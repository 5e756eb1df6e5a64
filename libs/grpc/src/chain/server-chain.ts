import type { ServerInterceptor } from '@grpc/grpc-js';
import { authServerInterceptor } from '../server/auth/auth.interceptor.js';
import type { AuthServerOptions } from '../server/auth/auth-options.js';
import { contextInterceptor } from '../server/context/context.interceptor.js';
import { deadlineServerInterceptor } from '../server/deadline/deadline.interceptor.js';
import type { DeadlineServerOptions } from '../server/deadline/deadline-options.js';
import { errorInterceptor } from '../server/errors/error.interceptor.js';
import type { ErrorInterceptorOptions } from '../server/errors/error-options.js';
import { loggingServerInterceptor } from '../telemetry/logging/logging.server-interceptor.js';
import type { LoggingServerOptions } from '../telemetry/logging/logging-options.js';
import { metricsServerInterceptor } from '../telemetry/metrics/metrics.server-interceptor.js';
import type { MetricsServerOptions } from '../telemetry/metrics/metrics-options.js';
import { rateLimitServerInterceptor } from '../server/rate-limit/rate-limit.interceptor.js';
import type { RateLimitOptions } from '../server/rate-limit/rate-limit-options.js';
import type { InFlightCalls } from '../server/shutdown/in-flight-calls.js';
import { shutdownInterceptor } from '../server/shutdown/shutdown.interceptor.js';
import { tracingServerInterceptor } from '../telemetry/tracing/tracing.server-interceptor.js';
import type { TracingServerOptions } from '../telemetry/tracing/tracing-options.js';
import { utf8Interceptor } from '../server/utf8/utf8.interceptor.js';
import { fusedServerInterceptor } from './fused-server-interceptor.js';
import { serverStepOf } from './server-step.js';
import { validationServerInterceptor } from '../server/validation/validation.interceptor.js';
import type { ValidationServerOptions } from '../server/validation/validation-options.js';

/**
 * The server chain, wire side first. Fixed; the positions that matter, each pinned by a test
 * in server-chain.spec.ts:
 * - context first: everything else reads the call context it creates;
 * - tracing before every interceptor that can reject a call (deadline, auth, rate limit,
 *   validation, shutdown): rejected calls get a server span with the client's parent;
 * - metrics before deadline: `grpc_server_calls_without_deadline_total` must see the call
 *   before a default deadline is applied (metrics and logging read the final status when
 *   the call ends, so they see every rejection wherever they sit);
 * - errors on the wire side of every rejecting interceptor: rejections get the service's
 *   ErrorInfo domain and UNKNOWN never leaves the server;
 * - shutdown after errors, for every method: calls refused or streams ended while draining
 *   are mapped like any other;
 * - deadline before auth: a call that cannot finish is not worth verifying a token for;
 * - rate limit after auth: buckets are per principal;
 * - utf8 before validation: validators never see a string that is not valid UTF-8.
 * utf8 and validation come last by convention; grpc-js reads no request message before the
 * metadata passed the whole chain, so only admitted calls are ever read.
 */
export const serverChainOrder = [
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
] as const;

export type ServerChainStep = (typeof serverChainOrder)[number];

/** Options of {@link createServerChain}: one entry per concern; `false` or absent leaves it out. */
export interface ServerChainOptions {
  /** Error mapping; always on (a server must never answer UNKNOWN). */
  errors: ErrorInterceptorOptions;
  tracing?: TracingServerOptions | false;
  metrics?: MetricsServerOptions | false;
  logging?: LoggingServerOptions | false;
  /** The tracker `gracefulShutdown` drains; one per server. */
  shutdown?: InFlightCalls | false;
  /** Defaults apply when absent; `false` turns default deadlines and the minimum off. */
  deadline?: DeadlineServerOptions | false;
  auth?: AuthServerOptions | false;
  rateLimit?: RateLimitOptions | false;
  validation?: ValidationServerOptions | false;
}

/** The chain as named steps, in order (what {@link createServerChain} returns, labelled). */
export function describeServerChain(
  options: ServerChainOptions,
): { step: ServerChainStep; interceptor: ServerInterceptor }[] {
  const factories: Record<ServerChainStep, () => ServerInterceptor | undefined> = {
    context: () => contextInterceptor,
    tracing: () => (options.tracing ? tracingServerInterceptor(options.tracing) : undefined),
    metrics: () => (options.metrics ? metricsServerInterceptor(options.metrics) : undefined),
    logging: () => (options.logging ? loggingServerInterceptor(options.logging) : undefined),
    errors: () => errorInterceptor(options.errors),
    shutdown: () => (options.shutdown ? shutdownInterceptor(options.shutdown) : undefined),
    deadline: () =>
      options.deadline === false ? undefined : deadlineServerInterceptor(options.deadline ?? {}),
    auth: () => (options.auth ? authServerInterceptor(options.auth) : undefined),
    rateLimit: () => (options.rateLimit ? rateLimitServerInterceptor(options.rateLimit) : undefined),
    // Always on: it acts only on services added through utf8Checked (NestJS: platformGrpcServerOptions).
    utf8: () => utf8Interceptor,
    validation: () => (options.validation ? validationServerInterceptor(options.validation) : undefined),
  };
  return serverChainOrder.flatMap((step) => {
    const interceptor = factories[step]();
    return interceptor ? [{ step, interceptor }] : [];
  });
}

/**
 * Builds the server interceptors of a service, for `new grpc.Server({ interceptors })` or NestJS
 * `options.channelOptions.interceptors`: one interceptor that runs the steps of
 * {@link describeServerChain} in their fixed order as hooks of one grpc-js layer (as
 * go-grpc-middleware chains plain functions), rather than a layer per concern.
 */
export function createServerChain(options: ServerChainOptions): ServerInterceptor[] {
  const steps = describeServerChain(options).flatMap(({ step, interceptor }) => {
    if (step === 'context') return [];
    const serverStep = serverStepOf(interceptor);
    if (!serverStep) throw new Error(`server chain: ${step} is not a server step`);
    return [serverStep];
  });
  return [fusedServerInterceptor(steps)];
}
