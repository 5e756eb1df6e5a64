// Whether a consumer group has committed every record of a topic: the suites wait for it
// before they check that redeliveries changed nothing.
import { Kafka, logLevel } from 'kafkajs';

export async function groupCaughtUp(brokers: string, group: string, topic: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'e2e-offsets',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const ends = new Map(
      (await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, entry.high]),
    );
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return (committed?.partitions ?? []).every(
      (partition) =>
        BigInt(partition.offset === '-1' ? '0' : partition.offset) >=
        BigInt(ends.get(partition.partition) ?? '0'),
    );
  } finally {
    await admin.disconnect();
  }
}
