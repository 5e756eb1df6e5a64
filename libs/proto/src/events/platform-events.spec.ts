// The event declarations are hand-written next to the generated messages; these checks tie them
// to the contracts: every message of a `*_events.proto` is declared, with its own generated
// codec, on its package's topic, and nothing else is.
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorsDir } from '../file-descriptors.js';
import * as orderV1 from '../gen/index.platform.order.v1.js';
import * as userV1 from '../gen/index.platform.user.v1.js';
import { platformEventTypes, platformTopics } from './platform-events.js';

const generated: Record<string, Record<string, unknown>> = {
  'platform.order.v1': orderV1,
  'platform.user.v1': userV1,
};

/** `platform.order.v1.OrderCreated` of every message declared in a `*_events.proto`. */
function eventMessages(): string[] {
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(join(descriptorsDir, 'platform.binpb')));
  return set.file
    .filter((file) => file.name.endsWith('_events.proto'))
    .flatMap((file) => file.messageType.map((message) => `${file.package}.${message.name}`));
}

/** `platform.order.v1.OrderCreated` -> package `platform.order.v1`, message `OrderCreated`. */
function split(type: string) {
  const at = type.lastIndexOf('.');
  return { pkg: type.slice(0, at), message: type.slice(at + 1) };
}

describe('the platform event declarations', () => {
  it('declare every message of the events files, and only those', () => {
    expect(platformEventTypes.map((event) => event.type).sort()).toEqual(eventMessages().sort());
  });

  it("decode with their message's generated codec", () => {
    for (const event of platformEventTypes) {
      const { pkg, message } = split(event.type);
      expect(event.codec, event.type).toBe(generated[pkg]?.[message]);
    }
  });

  it("publish to their service's topic, `<aggregate>.events.v<major>` of the package", () => {
    for (const event of platformEventTypes) {
      const [, service, version] = split(event.type).pkg.split('.');
      expect(event.topic, event.type).toMatchObject({
        name: `${service}.events.${version}`,
        aggregateType: service,
      });
      expect(platformTopics).toContain(event.topic);
    }
  });

  it('list each topic once, each with partitions and a retention', () => {
    expect(new Set(platformTopics.map((topic) => topic.name)).size).toBe(platformTopics.length);
    for (const topic of platformTopics) {
      expect(topic.partitions).toBeGreaterThan(0);
      expect(topic.retentionMs).toBeGreaterThan(0);
    }
  });
});
