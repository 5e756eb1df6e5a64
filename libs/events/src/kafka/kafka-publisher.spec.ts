// The publisher's recovery when the broker stops accepting its producer's sequence numbers. The
// producers are stand-ins: a real broker answers OUT_OF_ORDER_SEQUENCE_NUMBER only after a
// request timed out on the client and was appended anyway, which no test can time reliably; the
// errors are kafkajs's own classes, shaped as its retrier throws them.
import { KafkaJSNonRetriableError, KafkaJSProtocolError, type Producer, type ProducerConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaPublisher } from './kafka-publisher.js';

const record = { topic: 'orders', key: 'o-1', value: Buffer.from('v'), headers: { ce_id: 'e-1' } };

/** What kafkajs's retrier throws for a non-retriable answer (its typings omit both arguments' shapes). */
function protocolError(type: string): Error {
  const answer = { type, code: 45, retriable: false, message: type } as unknown as Error;
  const error = new KafkaJSProtocolError(answer);
  const NonRetriable = KafkaJSNonRetriableError as new (e: Error, options: { cause: Error }) => Error;
  return new NonRetriable(error, { cause: error });
}

/** A source of producers whose sends fail with the scripted errors, in order, then succeed. */
function producers(...failures: Error[]) {
  const made: { config: ProducerConfig; sends: number; connects: number; disconnects: number }[] = [];
  const source = {
    producer(config: ProducerConfig = {}): Producer {
      const state = { config, sends: 0, connects: 0, disconnects: 0 };
      made.push(state);
      return {
        connect: async () => void (state.connects += 1),
        disconnect: async () => void (state.disconnects += 1),
        sendBatch: async () => {
          state.sends += 1;
          const failure = failures.shift();
          if (failure) throw failure;
          return [];
        },
      } as unknown as Producer;
    },
  };
  return { source, made };
}

describe('KafkaPublisher', () => {
  it('makes an idempotent producer with acks=all and one request in flight', async () => {
    const { source, made } = producers();
    await new KafkaPublisher(source).publish([record]);
    expect(made).toHaveLength(1);
    expect(made[0]?.config).toMatchObject({ idempotent: true, maxInFlightRequests: 1 });
  });

  it.each(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH'])(
    'after %s, fails that publish and sends the next one on a new producer',
    async (type) => {
      const { source, made } = producers(protocolError(type));
      const publisher = new KafkaPublisher(source);

      await expect(publisher.publish([record])).rejects.toThrow(type);
      await publisher.publish([record]);

      expect(made.map((producer) => producer.sends)).toEqual([1, 1]);
      expect(made[0]?.disconnects).toBe(1);
      expect(made[1]?.connects).toBe(1);
    },
  );

  it('keeps its producer after another error (kafkajs retries those itself)', async () => {
    const timeout = new KafkaJSNonRetriableError(new Error('Request Produce timed out'));
    const { source, made } = producers(timeout);
    const publisher = new KafkaPublisher(source);

    await expect(publisher.publish([record])).rejects.toThrow('timed out');
    await publisher.publish([record]);

    expect(made).toHaveLength(1);
    expect(made[0]?.sends).toBe(2);
  });
});
