import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** One record as read back, headers as strings. */
export interface TopicRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/**
 * Every record of `topic` up to its end at the time of the call, read with a throwaway
 * consumer group (nothing committed that a real group would see). An absent topic reads as empty.
 */
export async function readTopic(
  brokers: readonly string[],
  topic: string,
  timeoutMs = 30_000,
): Promise<TopicRecord[]> {
  const kafka = new Kafka({ clientId: 'test-reader', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    const offsets = await retriable(() => admin.fetchTopicOffsets(topic), timeoutMs);
    ends = new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)]));
  } finally {
    await admin.disconnect();
  }
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
  const records: TopicRecord[] = [];
  if (!remaining.size) return records;
  // The disconnect waits for the fetch in flight: an empty one is held 500 ms, not kafkajs's 5 s.
  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `reading ${topic}: partitions ${[...remaining].join(', ')} not read to their end in ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const high = ends.get(partition) ?? 0n;
            if (BigInt(message.offset) >= high) return;
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) {
              const first = Array.isArray(value) ? value[0] : value;
              if (first !== undefined) headers[name] = first.toString();
            }
            records.push({
              partition,
              offset: message.offset,
              key: message.key,
              value: message.value,
              headers,
            });
            if (BigInt(message.offset) + 1n >= high) remaining.delete(partition);
            if (!remaining.size) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/**
 * Retries what Kafka answers with a retriable error (a topic just created whose leader is still
 * being elected: NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION), for up to `timeoutMs`.
 */
async function retriable<T>(request: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
