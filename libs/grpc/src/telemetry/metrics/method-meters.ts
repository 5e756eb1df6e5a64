import type { Counter, Registry } from 'prom-client';
import type { MethodInfo } from '../../call/method-info.js';
import { codeName } from '../../call/code-name.js';
import { grpcMetrics, methodLabelsOf } from './grpc-metrics.js';

/** The RED metrics of one method on one side, label children bound once. */
export interface MethodMeter {
  started(): void;
  received(): void;
  sent(): void;
  /** The call ended with `code` after `seconds`. */
  handled(code: number, seconds: number): void;
}

function meterOf(metrics: ReturnType<typeof grpcMetrics>, method: MethodInfo): MethodMeter {
  const labels = methodLabelsOf(method);
  const started = metrics.started.labels(labels);
  const received = metrics.messagesReceived.labels(labels);
  const sent = metrics.messagesSent.labels(labels);
  const seconds = metrics.handlingSeconds.labels(labels);
  const handledByCode = new Map<number, Counter.Internal>();
  return {
    started: () => started.inc(),
    received: () => received.inc(),
    sent: () => sent.inc(),
    handled: (code, elapsed) => {
      let handled = handledByCode.get(code);
      if (!handled) {
        handled = metrics.handled.labels({ ...labels, grpc_code: codeName(code) });
        handledByCode.set(code, handled);
      }
      handled.inc();
      seconds.observe(elapsed);
    },
  };
}

/**
 * The one metrics reporter both metrics interceptors count through: go-grpc-prometheus's
 * `grpc_<side>_*` series, each method's labels built once, at its first call.
 */
export class MethodMeters {
  readonly #metrics: ReturnType<typeof grpcMetrics>;
  readonly #byPath = new Map<string, MethodMeter>();

  constructor(registry: Registry, side: 'server' | 'client', buckets?: readonly number[]) {
    this.#metrics = grpcMetrics(registry, side, buckets);
  }

  of(method: MethodInfo): MethodMeter {
    let meter = this.#byPath.get(method.path);
    if (!meter) {
      meter = meterOf(this.#metrics, method);
      this.#byPath.set(method.path, meter);
    }
    return meter;
  }
}
