import { Counter, Histogram, type Registry } from 'prom-client';
import type { MethodInfo } from '../../call/method-info.js';

/** Buckets of the handling-time histograms, in seconds: local calls in ms to slow ones in s. */
export const defaultHandlingSecondsBuckets: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

const methodLabels = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
const handledLabels = [...methodLabels, 'grpc_code'] as const;

/** Labels of a method, as go-grpc-prometheus names them. */
export type MethodLabels = Record<(typeof methodLabels)[number], string>;

export function methodLabelsOf(method: MethodInfo): MethodLabels {
  return { grpc_type: method.type, grpc_service: method.service, grpc_method: method.method };
}

type MetricClass = typeof Counter | typeof Histogram;

// Several interceptors (a server and its clients, or two servers in one process) may be built
// on one registry; prom-client refuses a second registration of a name, so the first one wins
// and the others reuse it, provided it has the same type and labels.
function getOrCreate<M extends Counter | Histogram>(
  registry: Registry,
  type: MetricClass,
  name: string,
  labelNames: readonly string[],
  create: () => M,
): M {
  const existing = registry.getSingleMetric(name);
  if (!existing) return create();
  const existingLabels = (existing as { labelNames?: readonly string[] }).labelNames ?? [];
  if (!(existing instanceof type) || existingLabels.join() !== labelNames.join()) {
    throw new Error(
      `Metric ${name} is already registered as another ${existing.constructor.name} ` +
        `with labels [${existingLabels.join(', ')}]; expected a ${type.name} with labels [${labelNames.join(', ')}]`,
    );
  }
  return existing as M;
}

function counter(registry: Registry, name: string, help: string, labelNames: readonly string[]) {
  return getOrCreate(
    registry,
    Counter,
    name,
    labelNames,
    () => new Counter({ name, help, labelNames, registers: [registry] }),
  );
}

function histogram(registry: Registry, name: string, help: string, buckets: readonly number[]) {
  return getOrCreate(
    registry,
    Histogram,
    name,
    methodLabels,
    () =>
      new Histogram({ name, help, labelNames: methodLabels, buckets: [...buckets], registers: [registry] }),
  );
}

/** The RED metrics of one side, named `grpc_<side>_*` as go-grpc-prometheus names them. */
export interface GrpcMetrics {
  started: Counter;
  handled: Counter;
  handlingSeconds: Histogram;
  messagesReceived: Counter;
  messagesSent: Counter;
}

export function grpcMetrics(
  registry: Registry,
  side: 'server' | 'client',
  buckets: readonly number[] = defaultHandlingSecondsBuckets,
): GrpcMetrics {
  const whose = side === 'server' ? 'RPCs started on the server' : 'RPCs started by the client';
  return {
    started: counter(registry, `grpc_${side}_started_total`, `Total number of ${whose}.`, methodLabels),
    handled: counter(
      registry,
      `grpc_${side}_handled_total`,
      `Total number of ${whose} that completed, by status code.`,
      handledLabels,
    ),
    handlingSeconds: histogram(
      registry,
      `grpc_${side}_handling_seconds`,
      `Time from the start of ${whose} to their status, in seconds.`,
      buckets,
    ),
    messagesReceived: counter(
      registry,
      `grpc_${side}_msg_received_total`,
      `Total number of stream messages received by ${side === 'server' ? 'the server' : 'the client'}.`,
      methodLabels,
    ),
    messagesSent: counter(
      registry,
      `grpc_${side}_msg_sent_total`,
      `Total number of stream messages sent by ${side === 'server' ? 'the server' : 'the client'}.`,
      methodLabels,
    ),
  };
}

/** Server calls that arrived without a deadline: the client set none, a risk to find and fix. */
export function callsWithoutDeadline(registry: Registry): Counter {
  return counter(
    registry,
    'grpc_server_calls_without_deadline_total',
    'Total number of RPCs that arrived at the server without a deadline.',
    methodLabels,
  );
}
