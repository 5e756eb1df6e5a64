// What the code says the platform's Kafka holds, for the operators profile's KafkaTopics to be
// checked against: the topics @platform/proto declares (`platformTopics`, which the service
// generator extends) and the consumer groups the apps and libs declare, each with the topics its
// handlers read. Derived on each run, so a generated service or consumer is expected as well.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deadLetterTopicOf, retryTopicOf } from '@platform/events';
import * as proto from '@platform/proto';
import { root } from './chart-tools.mjs';

/** The apps' and libs' TypeScript sources (no specs, no generated code), by path. */
function sourceFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !['node_modules', 'dist', 'gen'].includes(entry.name)) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
        files.push(path);
    }
  };
  walk(join(root, 'apps'));
  walk(join(root, 'libs'));
  return files.map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') }));
}

/**
 * The topics and consumer groups of the code. A group is an `export const <x>Group = '<name>'`
 * (how the apps, the libs and the consumer generator declare one); its topics are those of the
 * event declarations its file imports from @platform/proto, where its handlers are. Throws when a
 * group's file imports none, rather than expecting nothing of it.
 */
export function platformEvents() {
  const topics = proto.platformTopics.map(({ name, partitions, retentionMs }) => ({
    name,
    partitions,
    retentionMs,
  }));
  const declarationTopics = new Map(
    Object.entries(proto)
      .filter(([, value]) => proto.platformEventTypes.includes(value))
      .map(([exported, declaration]) => [exported, declaration.topic.name]),
  );
  const groups = [];
  for (const { path, text } of sourceFiles()) {
    const declared = [...text.matchAll(/export const \w+Group = '([^']+)'/g)].map((match) => match[1]);
    if (declared.length === 0) continue;
    const imported = [...text.matchAll(/import \{([^}]*)\} from '@platform\/proto'/g)].flatMap((match) =>
      match[1].split(',').map((name) => name.trim()),
    );
    const read = [...new Set(imported.map((name) => declarationTopics.get(name)).filter(Boolean))];
    for (const group of declared) {
      if (read.length === 0) {
        throw new Error(
          `${path} declares the group ${group} but imports no event declaration of @platform/proto`,
        );
      }
      groups.push({ group, topics: read.sort() });
    }
  }
  return { topics, groups };
}

/**
 * Every topic the operators profile must declare as a KafkaTopic, as the runtime names and sizes
 * them: the platform's topics, then each group's retry and dead-letter topics of each topic it
 * reads (the source topic's partitions and retention).
 */
export function expectedKafkaTopics() {
  const { topics, groups } = platformEvents();
  const byName = new Map(topics.map((topic) => [topic.name, topic]));
  const expected = [...topics];
  for (const { group, topics: read } of groups) {
    for (const name of read) {
      const source = byName.get(name);
      if (!source) throw new Error(`the group ${group} reads ${name}, which platformTopics does not list`);
      for (const derived of [retryTopicOf(name, group), deadLetterTopicOf(name, group)]) {
        expected.push({ name: derived, partitions: source.partitions, retentionMs: source.retentionMs });
      }
    }
  }
  return { topics, groups, expected };
}
