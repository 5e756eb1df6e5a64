import type { Server } from '@grpc/grpc-js';
import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { startMetricsServer } from '@platform/observability';
import type { Registry } from 'prom-client';
import {
  createServerChain,
  gracefulShutdown,
  type HealthService,
  InFlightCalls,
  type ServerChainOptions,
  type ShutdownResult,
} from '@platform/grpc';
import type { PlatformGrpcServerOptions } from './nest-options.js';
import { platformGrpcServerOptions } from './platform-grpc-server-options.js';

/** Options of {@link startGrpcApp}. */
export interface StartGrpcAppOptions extends Omit<
  PlatformGrpcServerOptions,
  'url' | 'interceptors' | 'onServer' | 'health'
> {
  /** The application: its controllers and the domain objects they use. */
  module: DynamicModule;
  /** Interface to listen on: `127.0.0.1`, `0.0.0.0`, `::`. */
  host: string;
  port: number;
  /** The server chain; the shutdown tracker is added here. */
  chain: Omit<ServerChainOptions, 'shutdown'>;
  /** Reflects the service's dependencies; started here, reported NOT_SERVING on stop. */
  health: HealthService;
  /** Served on `GET /metrics` at `metricsPort` (0: any free port). */
  registry: Registry;
  metricsPort: number;
  /** SIGTERM's drain bound, ms. Defaults to 10 000. */
  drainTimeoutMs?: number;
  /**
   * Closes what the application uses (database, clients, feeds): called after the app closed on
   * `stop()`, and when the start fails. Defaults to nothing.
   */
  closeAfter?: () => unknown;
}

/** A running gRPC application. */
export interface GrpcApp {
  /** `host:port` of the gRPC server. */
  readonly address: string;
  readonly metricsPort: number;
  /** The calls being served, as the graceful shutdown drains them. */
  readonly inFlight: InFlightCalls;
  readonly health: HealthService;
  readonly registry: Registry;
  readonly app: INestMicroservice;
  /**
   * SIGTERM's work: NOT_SERVING, refuse new calls, drain (bounded), end streams, then close the
   * Nest application, health polling, the metrics server and `closeAfter`. Idempotent.
   */
  stop(): Promise<ShutdownResult | undefined>;
}

/**
 * Starts a NestJS gRPC application the platform's way: the full server chain with a shutdown
 * tracker, health and reflection next to the service, health polling, and the metrics
 * endpoint; `stop()` shuts it down gracefully. A service's start is then its own wiring only.
 */
export async function startGrpcApp(options: StartGrpcAppOptions): Promise<GrpcApp> {
  const { module, host, port, chain, health, registry, metricsPort, drainTimeoutMs, closeAfter, ...server } =
    options;
  const inFlight = new InFlightCalls();
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  let bound: Server | undefined;
  const app = await NestFactory.createMicroservice(module, {
    ...platformGrpcServerOptions({
      ...server,
      url: address,
      interceptors: createServerChain({ ...chain, shutdown: inFlight }),
      health,
      onServer: (created) => (bound = created),
    }),
    logger: false,
  });
  // Closed on stop(), or when the start fails half-way, last opened first: the metrics endpoint,
  // health polling and the app, then what the app used. Each runs; the first failure is rethrown.
  const opened: (() => unknown)[] = [...(closeAfter ? [closeAfter] : []), () => app.close()];
  const closeOpened = async () => {
    let failure: { error: unknown } | undefined;
    for (const close of opened.splice(0).reverse()) {
      await Promise.resolve()
        .then(close)
        .catch((error: unknown) => (failure ??= { error }));
    }
    if (failure) throw failure.error;
  };
  try {
    await app.listen();
    await health.start();
    opened.push(() => health.stop());
    const metrics = await startMetricsServer({ port: metricsPort, registry });
    opened.push(() => metrics.close());
    let stopping: Promise<ShutdownResult | undefined> | undefined;
    return {
      address,
      metricsPort: metrics.port,
      inFlight,
      health,
      registry,
      app,
      stop: () =>
        (stopping ??= (async () => {
          const result = bound
            ? await gracefulShutdown(bound, { inFlight, health, drainTimeoutMs })
            : undefined;
          await closeOpened();
          return result;
        })()),
    };
  } catch (error) {
    await closeOpened().catch(() => undefined);
    throw error;
  }
}
