import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { EventPublisher, OutgoingRecord } from './event-publisher.js';
import { isLostProducerState } from './lost-producer-state.js';

function toMessage(record: OutgoingRecord): Message {
  return { key: record.key, value: record.value, headers: { ...record.headers } };
}

/**
 * {@link EventPublisher} on a kafkajs idempotent producer: acks=all, one request in flight per
 * broker, so records of a partition are written once each and in the order given, even when a
 * request is retried.
 *
 * When the broker and the producer disagree on the producer's sequence numbers (a request that
 * timed out on the client after the broker appended it, then a batch of another size; or a
 * broker that lost the producer's state), every later send fails the same way: kafkajs does not
 * reset its producer id the way Kafka's Java client does (KIP-360). The publisher then drops the
 * producer and makes a new one, with a new producer id, for the next publish: the caller
 * publishes the records again, which consumers deduplicate by event id.
 */
export class KafkaPublisher implements EventPublisher {
  private producer: Producer;
  private readonly timeoutMs: number;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly kafka: Pick<Kafka, 'producer'>,
    options: { timeoutMs?: number } = {},
  ) {
    this.producer = this.newProducer();
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (!records.length) return;
    const producer = this.producer;
    this.connecting ??= producer.connect().catch((error: unknown) => {
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
    try {
      await producer.sendBatch({
        acks: -1,
        timeout: this.timeoutMs,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error) {
      if (isLostProducerState(error) && producer === this.producer) this.replaceProducer();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2 on the key, as Kafka's Java client (and Go's sarama/franz-go with it) partition.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  private replaceProducer(): void {
    const stale = this.producer;
    this.producer = this.newProducer();
    this.connecting = undefined;
    stale.disconnect().catch(() => undefined);
  }
}
