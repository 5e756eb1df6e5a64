import { credentials } from '@grpc/grpc-js';
import { createClient, createClientChain, RefreshingTokenProvider } from '@platform/grpc';
import { createLogger, createMetricsRegistry, setupTracing } from '@platform/observability';
import { OrderServiceClient } from '@platform/proto';
import { destination } from 'pino';
import { benchToken } from './bench-token.js';

/** An OrderService client of `target` as the client benchmark's variant `kind` builds it. */
export async function orderClient(kind: 'raw' | 'chain', target: string): Promise<OrderServiceClient> {
  if (kind === 'raw') {
    // The platform's channel (createClient's options and pool), used with no interceptor at all.
    const channel = createClient(OrderServiceClient, target).getChannel();
    return new OrderServiceClient(target, credentials.createInsecure(), { channelOverride: channel });
  }
  // As a service's ServiceSignIn.client builds it: the runtime's tracing, metrics and logging,
  // a default deadline, its own token (from a refreshing provider), retries and a breaker.
  const { token, expiresAt } = await benchToken();
  const tracing = setupTracing({ serviceName: 'bench-client' });
  process.once('SIGTERM', () => void tracing.shutdown());
  const interceptors = createClientChain({
    tracing: {},
    metrics: { registry: createMetricsRegistry({ collectDefaultMetrics: false }) },
    logging: {
      logger: createLogger({
        name: 'bench-client',
        destination: destination({ dest: '/dev/null', sync: false }),
      }),
    },
    deadline: { defaultDeadlineMs: 5_000 },
    auth: { provider: new RefreshingTokenProvider(() => Promise.resolve({ token, expiresAt })) },
    retry: {},
    circuitBreaker: {},
  });
  return createClient(OrderServiceClient, target, { interceptors });
}
