import { registeredMetric } from '@platform/observability';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** How a record ended: applied, skipped as a redelivery, not for this group, or parked. */
export type ConsumeOutcome = 'handled' | 'duplicate' | 'ignored' | 'retried' | 'dead_lettered';

export interface ConsumerMetrics {
  processed(topic: string, type: string, outcome: ConsumeOutcome): void;
  retried(type: string, stage: 'in_process' | 'retry_topic'): void;
  deadLettered(topic: string, reason: string): void;
  handlerSeconds(type: string, seconds: number): void;
  lag(topic: string, partition: number, lag: number): void;
}

export function consumerMetrics(registry: Registry | undefined, group: string): ConsumerMetrics {
  if (!registry) {
    return {
      processed: () => undefined,
      retried: () => undefined,
      deadLettered: () => undefined,
      handlerSeconds: () => undefined,
      lag: () => undefined,
    };
  }
  const processed = registeredMetric(
    registry,
    Counter,
    'events_processed_total',
    () =>
      new Counter({
        name: 'events_processed_total',
        help: 'Records a consumer group finished with, by outcome (handled, duplicate, ignored, retried, dead_lettered).',
        labelNames: ['group', 'topic', 'type', 'outcome'],
        registers: [registry],
      }),
  );
  const retried = registeredMetric(
    registry,
    Counter,
    'events_retried_total',
    () =>
      new Counter({
        name: 'events_retried_total',
        help: 'Handler retries: in process (after a backoff) or through the retry topic.',
        labelNames: ['group', 'type', 'stage'],
        registers: [registry],
      }),
  );
  const deadLettered = registeredMetric(
    registry,
    Counter,
    'events_dead_lettered_total',
    () =>
      new Counter({
        name: 'events_dead_lettered_total',
        help: 'Records sent to the dead-letter topic, by reason.',
        labelNames: ['group', 'topic', 'reason'],
        registers: [registry],
      }),
  );
  const seconds = registeredMetric(
    registry,
    Histogram,
    'events_handler_seconds',
    () =>
      new Histogram({
        name: 'events_handler_seconds',
        help: 'Time of one handler attempt, inbox transaction included.',
        labelNames: ['group', 'type'],
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
  );
  const lag = registeredMetric(
    registry,
    Gauge,
    'events_consumer_lag',
    () =>
      new Gauge({
        name: 'events_consumer_lag',
        help: 'Records of a partition after the last one the group processed, at the last batch.',
        labelNames: ['group', 'topic', 'partition'],
        registers: [registry],
      }),
  );
  // Per-record series are bound once per label set: prom-client hashes the labels on every call otherwise.
  const processedSeries = new Map<string, Counter.Internal>();
  const secondsSeries = new Map<string, Histogram.Internal<string>>();
  return {
    processed(topic, type, outcome) {
      const key = `${topic}\u0000${type}\u0000${outcome}`;
      let series = processedSeries.get(key);
      if (!series) processedSeries.set(key, (series = processed.labels({ group, topic, type, outcome })));
      series.inc();
    },
    retried: (type, stage) => retried.inc({ group, type, stage }),
    deadLettered: (topic, reason) => deadLettered.inc({ group, topic, reason }),
    handlerSeconds(type, value) {
      let series = secondsSeries.get(type);
      if (!series) secondsSeries.set(type, (series = seconds.labels({ group, type })));
      series.observe(value);
    },
    lag: (topic, partition, value) => lag.set({ group, topic, partition: String(partition) }, value),
  };
}
