import { registeredMetric } from '@platform/observability';
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the relay reports; backlog and age are read from the outbox at each scrape. */
export interface OutboxMetrics {
  published(topic: string, count: number): void;
  failed(): void;
}

export interface OutboxBacklog {
  size: number;
  oldestAgeSeconds: number;
}

export function outboxMetrics(
  registry: Registry | undefined,
  readBacklog: () => Promise<OutboxBacklog>,
): OutboxMetrics {
  if (!registry) return { published: () => undefined, failed: () => undefined };
  // One scrape reads the backlog once for both gauges.
  let reading: Promise<OutboxBacklog> | undefined;
  const backlog = () => {
    reading ??= readBacklog().finally(() => setTimeout(() => (reading = undefined), 0));
    return reading;
  };
  registeredMetric(
    registry,
    Gauge,
    'outbox_backlog',
    () =>
      new Gauge({
        name: 'outbox_backlog',
        help: 'Outbox events not yet acknowledged by Kafka.',
        registers: [registry],
        async collect() {
          this.set((await backlog()).size);
        },
      }),
  );
  registeredMetric(
    registry,
    Gauge,
    'outbox_oldest_unpublished_age_seconds',
    () =>
      new Gauge({
        name: 'outbox_oldest_unpublished_age_seconds',
        help: 'Age of the oldest outbox event not yet published (0 when none waits).',
        registers: [registry],
        async collect() {
          this.set((await backlog()).oldestAgeSeconds);
        },
      }),
  );
  const published = registeredMetric(
    registry,
    Counter,
    'outbox_published_total',
    () =>
      new Counter({
        name: 'outbox_published_total',
        help: 'Outbox events published and acknowledged, by topic.',
        labelNames: ['topic'],
        registers: [registry],
      }),
  );
  const failures = registeredMetric(
    registry,
    Counter,
    'outbox_publish_failures_total',
    () =>
      new Counter({
        name: 'outbox_publish_failures_total',
        help: 'Relay batches that failed (Kafka or the database unreachable); they are retried.',
        registers: [registry],
      }),
  );
  return {
    published: (topic, count) => published.inc({ topic }, count),
    failed: () => failures.inc(),
  };
}
