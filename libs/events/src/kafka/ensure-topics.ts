import type { Admin, Kafka } from 'kafkajs';
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
      // kafkajs waits for leaders tolerating only LEADER_NOT_AVAILABLE, but Kafka 4 answers
      // UNKNOWN_TOPIC_OR_PARTITION for a moment after creating a topic: we wait ourselves.
      waitForLeaders: false,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        configEntries: [{ name: 'retention.ms', value: String(topic.retentionMs) }],
      })),
    });
    const names = missing.map((topic) => topic.name);
    await waitForLeaders(admin, names);
    return names;
  } finally {
    await admin.disconnect();
  }
}

/** Resolves once every partition of `topics` has a leader (30 s at most). */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      if (described.every((topic) => topic.partitions.length && topic.partitions.every((p) => p.leader >= 0)))
        return;
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
