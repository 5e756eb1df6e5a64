import type { Kafka } from 'kafkajs';
import type { TopicSpec } from '../contracts/topic-spec.js';
import { createKafka, type KafkaConnectionOptions } from './kafka-connection.js';

/** A topic to create: a declared one, or a consumer group's retry or dead-letter topic. */
export type TopicToCreate = Pick<TopicSpec, 'name' | 'partitions' | 'retentionMs'>;

/**
 * Creates the topics that do not exist yet, with their partitions and retention (replication
 * factor: the broker's default). Existing topics are left as they are. For local runs and tests;
 * production topics are usually owned by the platform team's infrastructure code.
 */
export function ensureTopics(
  connection: KafkaConnectionOptions,
  topics: readonly TopicToCreate[],
): Promise<string[]> {
  return ensureTopicsWith(createKafka(connection), topics);
}

/** {@link ensureTopics} on a kafkajs client of libs/events. Returns the topics it created. */
export async function ensureTopicsWith(kafka: Kafka, topics: readonly TopicToCreate[]): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (!missing.length) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        configEntries: [{ name: 'retention.ms', value: String(topic.retentionMs) }],
      })),
    });
    return missing.map((topic) => topic.name);
  } finally {
    await admin.disconnect();
  }
}
