// Whether a consumer group has committed every record of a topic: the suites wait for it
// before they check that redeliveries changed nothing.
import { Kafka, logLevel, type Admin } from 'kafkajs';

export async function groupCaughtUp(brokers: string, group: string, topic: string): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'e2e-offsets',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return await caughtUp(admin, group, topic);
  } catch (error) {
    // A leader moving (a retriable answer) is "not yet", not a failure.
    if ((error as { retriable?: boolean }).retriable === true) return false;
    throw error;
  } finally {
    await admin.disconnect();
  }
}

async function caughtUp(admin: Admin, group: string, topic: string): Promise<boolean> {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, entry.high]));
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (committed?.partitions ?? []).every(
    (partition) =>
      BigInt(partition.offset === '-1' ? '0' : partition.offset) >=
      BigInt(ends.get(partition.partition) ?? '0'),
  );
}
