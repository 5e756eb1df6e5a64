import { addProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { consumerGenerator } from './consumer-generator.mjs';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..', '..');
const eventsDir = 'libs/proto/src/events';
/** The workspace files the generator reads or extends, as they are in the repository. */
const seeded = [
  ...readdirSync(join(workspaceRoot, eventsDir)).map((file) => `${eventsDir}/${file}`),
  'apps/order-service/src/order-service.ts',
  'apps/fulfillment-worker/src/fulfillment-worker.ts',
  'deploy/kubernetes/chart/values.yaml',
];
/** The topics the workspace declares (a generated service adds its own), sorted as the message lists them. */
const declaredTopics = seeded
  .filter((path) => path.startsWith(`${eventsDir}/`))
  .flatMap((path) => [
    ...readFileSync(join(workspaceRoot, path), 'utf8').matchAll(/export const \w+ = \{\s*name: '([^']+)'/g),
  ])
  .map((match) => match[1])
  .sort();
// The specs below consume these two; a scan that found neither would make the message check vacuous.
if (!declaredTopics.includes('order.events.v1') || !declaredTopics.includes('user.events.v1'))
  throw new Error(`${eventsDir} declares ${declaredTopics.join(', ') || 'no topic'} by the spec's scan`);

/** @type {import('@nx/devkit').Tree} */
let tree;

beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
  tree.delete('.oxfmtrc.json');
  tree.write('.prettierrc.json', readFileSync(join(workspaceRoot, '.prettierrc.json'), 'utf8'));
  for (const path of seeded) tree.write(path, readFileSync(join(workspaceRoot, path), 'utf8'));
  addProjectConfiguration(tree, 'order-service', { root: 'apps/order-service' });
  addProjectConfiguration(tree, 'fulfillment-worker', { root: 'apps/fulfillment-worker' });
  addProjectConfiguration(tree, 'proto', { root: 'libs/proto' });
});

/**
 * A written file on one line, without trailing commas or spaces inside brackets: formatFiles
 * formats the in-memory tree with Prettier's defaults, which wrap at 80 columns.
 *
 * @param {string} path
 */
function flat(path) {
  return (tree.read(path, 'utf8') ?? '')
    .replace(/\s+/g, ' ')
    .replace(/,? ([}\])])/g, '$1')
    .replace(/([{[(]) /g, '$1');
}

/** The tree's changes as path -> text, to compare before and after a refused run. */
function snapshot() {
  return new Map(tree.listChanges().map((change) => [change.path, change.content?.toString('utf8') ?? '']));
}

describe('consumerGenerator', () => {
  it("adds a group of the topic's events to the app, with the service's database as its inbox", async () => {
    await consumerGenerator(tree, { topic: 'order.events.v1', project: 'order-service' });
    const consumer = flat('apps/order-service/src/order-events-consumer.ts');
    expect(consumer).toMatch(/export const orderEventsGroup = ["']order-service\.order-events["'];/);
    expect(consumer).toMatch(
      /export function orderEventsHandlers\(logger: Logger\): readonly AnyHandlerBinding\[\]/,
    );
    for (const event of ['orderCreated', 'orderConfirmed', 'orderCancelled']) {
      expect(consumer).toContain(`on(${event}, async (_event, context) =>`);
    }
    expect(consumer).toMatch(
      /import \{orderCreated, orderConfirmed, orderCancelled\} from ["']@platform\/proto["'];/,
    );
    // Its test: the group on the test broker, an event of each type published, the inbox.
    const spec = flat('apps/order-service/test/order-events-consumer.spec.ts');
    expect(spec).toMatch(
      /import \{orderEventsGroup, orderEventsHandlers\} from ["']\.\.\/src\/order-events-consumer\.js["'];/,
    );
    expect(spec).toContain(
      'consumers: [{group: orderEventsGroup, db, handlers: orderEventsHandlers(logger)}]',
    );
    for (const event of ['orderCreated', 'orderConfirmed', 'orderCancelled']) {
      expect(spec).toContain(`eventRecord(${event}, ${event}.codec.create({}), options())`);
    }
    const app = flat('apps/order-service/src/order-service.ts');
    expect(app).toMatch(
      /import \{orderEventsGroup, orderEventsHandlers\} from ["']\.\/order-events-consumer\.js["'];/,
    );
    // Added first to the consumers the app has (its own, and any a team added since), each with
    // the inbox database.
    expect(app).toMatch(
      /consumers: \[\{group: orderEventsGroup, db, handlers: orderEventsHandlers\(logger\)\}, \{group: \w+Group, db,/,
    );
    expect(app).toContain('{group: userDeactivationsGroup, db,');
    const values = parse(tree.read('deploy/kubernetes/chart/values.yaml', 'utf8') ?? '');
    expect(values.operators.strimzi.consumerGroups).toContainEqual({
      topic: 'order.events.v1',
      group: 'order-service.order-events',
    });
  });

  it('adds the consumers list and the runtime parts it needs to an app that has none', async () => {
    const definition = 'apps/order-service/src/order-service.ts';
    const source = tree.read(definition, 'utf8') ?? '';
    tree.write(
      definition,
      source
        .replace(/\n\s*consumers: \[[\s\S]*?\n\s*\],\n/, '\n')
        .replace(
          'async wire({ config, logger, db, closers, clientChain, key })',
          'async wire({ config, closers, clientChain, key })',
        ),
    );
    expect(tree.read(definition, 'utf8')).not.toContain('consumers:');
    await consumerGenerator(tree, { topic: 'user.events.v1', project: 'order-service' });
    const app = flat(definition);
    expect(app).toContain('async wire({config, closers, clientChain, key, db, logger})');
    expect(app).toMatch(
      /own: \{feed\}, consumers: \[\{group: userEventsGroup, db, handlers: userEventsHandlers\(logger\)\}\],/,
    );
  });

  it.each([
    [
      { topic: 'inventory.events.v1', project: 'order-service' },
      `"inventory.events.v1" is not a platform topic; the topics declared in libs/proto/src/events are ${declaredTopics.join(', ')}`,
    ],
    [{ topic: 'user.events.v1', project: 'billing-service' }, /there is no project "billing-service"/],
    [
      { topic: 'user.events.v1', project: 'proto' },
      /proto is not an app on the service runtime with a database/,
    ],
    [
      { topic: 'user.events.v1', project: 'fulfillment-worker' },
      /fulfillment-worker is not an app on the service runtime with a database/,
    ],
  ])('refuses %j, saying why, and writes nothing', async (options, why) => {
    const before = snapshot();
    await expect(consumerGenerator(tree, options)).rejects.toThrow(why);
    await expect(consumerGenerator(tree, options)).rejects.toThrow(/Nothing was written/);
    expect(snapshot()).toEqual(before);
  });

  it('refuses a second consumer of the same topic in the same app', async () => {
    await consumerGenerator(tree, { topic: 'order.events.v1', project: 'order-service' });
    await expect(
      consumerGenerator(tree, { topic: 'order.events.v1', project: 'order-service' }),
    ).rejects.toThrow(
      /order-service already consumes order\.events\.v1 \(group order-service\.order-events\)/,
    );
  });
});
