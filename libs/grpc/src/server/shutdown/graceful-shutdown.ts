import type { Server } from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import type { GracefulShutdownOptions, ShutdownResult, ShutdownStepName } from './shutdown-options.js';
import { shuttingDownError } from './shutdown.interceptor.js';

const defaultDrainTimeoutMs = 10_000;

const shutdowns = new WeakMap<Server, Promise<ShutdownResult>>();

/** A timer that can be cancelled; its promise never settles once cancelled. */
function wait(ms: number): { elapsed: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { elapsed, cancel: () => clearTimeout(timer) };
}

/**
 * Takes a server down without failing the calls it accepted (DESIGN: SIGTERM -> NOT_SERVING ->
 * stop accepting -> drain, bounded in time):
 * 1. health reports NOT_SERVING (then waits `notServingDelayMs`);
 * 2. new calls are refused: grpc-js `tryShutdown` closes the listeners and sends GOAWAY on every
 *    connection, and calls already on their way are answered UNAVAILABLE (SHUTTING_DOWN);
 * 3. unary and client-streaming calls in flight finish normally;
 * 4. long-lived streams are then (or after `streamGraceMs`) ended with UNAVAILABLE, reason
 *    SHUTTING_DOWN, so their clients reconnect to another instance;
 * 5. whatever still runs after `drainTimeoutMs` is cut with `forceShutdown`.
 * Calling it again for the same server returns the same shutdown.
 */
export function gracefulShutdown(server: Server, options: GracefulShutdownOptions): Promise<ShutdownResult> {
  let shutdown = shutdowns.get(server);
  if (!shutdown) {
    shutdown = run(server, options);
    shutdowns.set(server, shutdown);
  }
  return shutdown;
}

async function run(server: Server, options: GracefulShutdownOptions): Promise<ShutdownResult> {
  const { inFlight } = options;
  const drainTimeoutMs = options.drainTimeoutMs ?? defaultDrainTimeoutMs;
  const streamGraceMs = Math.min(options.streamGraceMs ?? drainTimeoutMs / 2, drainTimeoutMs);
  const startedAt = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedAt);
  const step = (name: ShutdownStepName) =>
    options.onStep?.({ name, elapsedMs: elapsedMs(), inFlight: inFlight.counts });

  options.health?.setNotServing();
  step('not-serving');
  if (options.notServingDelayMs) await wait(options.notServingDelayMs).elapsed;

  inFlight.close();
  const drained = new Promise<'drained'>((resolve) => server.tryShutdown(() => resolve('drained')));
  step('refusing-calls');

  const bound = wait(drainTimeoutMs);
  const streamGrace = wait(streamGraceMs);
  try {
    const first = await Promise.race([
      inFlight.requestsSettled().then(() => 'requests-drained' as const),
      streamGrace.elapsed.then(() => 'grace-elapsed' as const),
      drained,
    ]);
    if (first === 'requests-drained') step('requests-drained');
    const streamsEnded = inFlight.endStreams(shuttingDownError());
    step('streams-ended');

    const outcome = await Promise.race([drained, bound.elapsed.then(() => 'bound' as const)]);
    const forced = outcome === 'bound';
    if (forced) server.forceShutdown();
    step(forced ? 'forced' : 'drained');
    return { forced, streamsEnded, durationMs: elapsedMs() };
  } finally {
    bound.cancel();
    streamGrace.cancel();
  }
}
