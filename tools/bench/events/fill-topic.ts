// Fills a topic with OrderCreated events as the relay publishes them: CloudEvents headers (with
// a traceparent, as a traced service sends), the protobuf payload, the order id as the key.
import { cloudEventHeaders, createKafkaPublisher, type OutgoingRecord } from '@platform/events';
import { OrderCreated, orderCreated } from '@platform/proto';
import { randomBytes, randomUUID } from 'node:crypto';
import { benchOrder } from './bench-order.js';

export async function fillTopic(brokers: readonly string[], topic: string, count: number): Promise<void> {
  const publisher = createKafkaPublisher({ brokers, clientId: 'events-bench.fill' });
  try {
    const batch = 2_000;
    for (let sent = 0; sent < count; sent += batch) {
      const records: OutgoingRecord[] = [];
      for (let index = sent; index < Math.min(count, sent + batch); index += 1) {
        const order = benchOrder();
        records.push({
          topic,
          key: order.id,
          value: Buffer.from(OrderCreated.encode(OrderCreated.create({ order })).finish()),
          headers: cloudEventHeaders(
            {
              id: randomUUID(),
              type: orderCreated.type,
              source: '/platform/order-service',
              subject: order.id,
              time: new Date(),
            },
            { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` },
          ),
        });
      }
      await publisher.publish(records);
    }
  } finally {
    await publisher.close();
  }
}
