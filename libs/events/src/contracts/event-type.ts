import type { TopicSpec } from './topic-spec.js';

/** Encodes and decodes one protobuf message: what ts-proto generates for every message. */
export interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/**
 * One kind of event: its CloudEvents type (the protobuf full name, `ce_type`), the topic it is
 * published to and its payload codec. Producers and consumers share these declarations, so a
 * type can never be published to one topic and expected on another: the platform's are in
 * @platform/proto next to their messages (`orderCreated`, `platformEventTypes`, …).
 */
export interface EventType<T> {
  readonly type: string;
  readonly topic: TopicSpec;
  readonly codec: MessageCodec<T>;
}

export function defineEventType<T>(type: string, topic: TopicSpec, codec: MessageCodec<T>): EventType<T> {
  if (!/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\.[A-Z][A-Za-z0-9]*$/.test(type)) {
    throw new TypeError(`event type "${type}" must be a protobuf message full name (package.Message)`);
  }
  return { type, topic, codec };
}
