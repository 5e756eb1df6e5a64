import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { EventPublisher, OutgoingRecord } from './event-publisher.js';

function toMessage(record: OutgoingRecord): Message {
  return { key: record.key, value: record.value, headers: { ...record.headers } };
}

/**
 * {@link EventPublisher} on a kafkajs idempotent producer: acks=all, one request in flight per
 * broker, so records of a partition are written once each and in the order given, even when a
 * request is retried.
 */
export class KafkaPublisher implements EventPublisher {
  private readonly producer: Producer;
  private readonly timeoutMs: number;
  private connecting: Promise<void> | undefined;

  constructor(kafka: Kafka, options: { timeoutMs?: number } = {}) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2 on the key, as Kafka's Java client (and Go's sarama/franz-go with it) partition.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (!records.length) return;
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    await this.connecting;
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push(toMessage(record));
      byTopic.set(record.topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      timeout: this.timeoutMs,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
