import { addProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { serviceGenerator } from './service-generator.mjs';

const workspaceRoot = join(import.meta.dirname, '..', '..', '..', '..');
/** The workspace files the generator extends, as they are in the repository. */
const extended = [
  'libs/proto/src/index.ts',
  'libs/proto/src/proto-paths.ts',
  'libs/proto/src/events/platform-events.ts',
  'libs/proto/src/events/platform-events.spec.ts',
];

/** @type {import('@nx/devkit').Tree} */
let tree;
/** @type {Map<string, string>} every file of the tree before the generator ran */
let before;

beforeEach(() => {
  tree = createTreeWithEmptyWorkspace();
  // The workspace formats with Prettier (the empty workspace comes with oxfmt's settings).
  tree.delete('.oxfmtrc.json');
  tree.write('.prettierrc.json', readFileSync(join(workspaceRoot, '.prettierrc.json'), 'utf8'));
  for (const path of extended) tree.write(path, readFileSync(join(workspaceRoot, path), 'utf8'));
  addProjectConfiguration(tree, 'order-service', { root: 'apps/order-service' });
  tree.write('protos/platform/order/v1/order.proto', 'syntax = "proto3";\n');
  before = snapshot();
});

function snapshot() {
  return new Map(tree.listChanges().map((change) => [change.path, change.content?.toString('utf8') ?? '']));
}

/**
 * A generated file's text with single quotes: formatFiles finds no Prettier configuration for the
 * in-memory tree (its root is not on disk), so it formats with Prettier's defaults.
 *
 * @param {string} path
 */
function read(path) {
  return tree.read(path, 'utf8')?.replaceAll('"', "'") ?? '';
}

/**
 * {@link read} on one line, without trailing commas: Prettier's default width wraps lists the
 * workspace's keeps on one line.
 *
 * @param {string} path
 */
function flat(path) {
  return read(path)
    .replace(/\s+/g, ' ')
    .replace(/, ([}\]])/g, ' $1')
    .replace(/([{[]) /g, '$1')
    .replace(/ ([}\]])/g, '$1');
}

/** Paths the generator created, changed or deleted. */
function written() {
  const after = snapshot();
  return [...new Set([...before.keys(), ...after.keys()])].filter(
    (path) => before.get(path) !== after.get(path),
  );
}

describe('serviceGenerator', () => {
  it('writes the contracts of loyalty-points under its snake_case package directory', async () => {
    await serviceGenerator(tree, { name: 'loyalty-points', description: 'Owns the points users earn.' });
    const service = read('protos/platform/loyalty_points/v1/loyalty_points_service.proto');
    expect(service).toContain('package platform.loyalty_points.v1;');
    expect(service).toContain('// Owns the points users earn.\nservice LoyaltyPointsService {');
    for (const rpc of [
      'rpc CreateLoyaltyPointsItem(CreateLoyaltyPointsItemRequest)',
      'rpc GetLoyaltyPointsItem(GetLoyaltyPointsItemRequest)',
      'rpc ListLoyaltyPointsItems(ListLoyaltyPointsItemsRequest)',
      'returns (stream WatchLoyaltyPointsItemResponse)',
    ]) {
      expect(service).toContain(rpc);
    }
    expect(service.match(/option idempotency_level = /g)).toHaveLength(4);
    expect(read('protos/platform/loyalty_points/v1/loyalty_points_events.proto')).toContain(
      'message LoyaltyPointsItemCreated {',
    );
  });

  it('declares the new package, its paths and its events in @platform/proto', async () => {
    await serviceGenerator(tree, { name: 'loyalty-points' });
    expect(written()).toEqual(
      expect.arrayContaining([...extended, 'libs/proto/src/events/loyalty-points-events.ts']),
    );
    const index = flat('libs/proto/src/index.ts');
    expect(index).toContain("export * from './gen/index.platform.loyalty_points.v1.js';");
    expect(index).toContain(
      "export {loyaltyPointsEventsTopic, loyaltyPointsItemCreated} from './events/loyalty-points-events.js';",
    );
    const paths = flat('libs/proto/src/proto-paths.ts');
    expect(paths).toContain(
      "loyaltyPointsService: 'platform/loyalty_points/v1/loyalty_points_service.proto',",
    );
    expect(paths).toContain("loyaltyPoints: 'platform.loyalty_points.v1.LoyaltyPointsService'}");
    const events = flat('libs/proto/src/events/platform-events.ts');
    expect(events).toMatch(/platformTopics = \[[^\]]*, loyaltyPointsEventsTopic\] as const;/);
    expect(events).toMatch(
      /\| typeof loyaltyPointsItemCreated \)\[\] = \[[^\]]*, loyaltyPointsItemCreated\];/,
    );
    expect(read('libs/proto/src/events/loyalty-points-events.ts')).toContain(
      "name: 'loyalty_points.events.v1',",
    );
    expect(flat('libs/proto/src/events/platform-events.spec.ts')).toContain(
      "'platform.loyalty_points.v1': loyaltyPointsV1}",
    );
  });

  it.each([
    ['Order', /upper-case/],
    ['1abc', /must start with a letter/],
    ['a_b', /single hyphens/],
    ['order', /taken: the project order-service exists/],
    ['class', /reserved/],
  ])('refuses %j, saying why, and writes nothing', async (name, why) => {
    await expect(serviceGenerator(tree, { name })).rejects.toThrow(why);
    await expect(serviceGenerator(tree, { name })).rejects.toThrow(/Nothing was written/);
    expect(written()).toEqual([]);
  });

  it('refuses a name whose contracts exist though no project does', async () => {
    tree.write('protos/platform/stock/v1/stock.proto', 'syntax = "proto3";\n');
    await expect(serviceGenerator(tree, { name: 'stock' })).rejects.toThrow(
      /protos\/platform\/stock\/v1 exists/,
    );
  });

  it('stops, naming the file, when a file it extends has lost the shape it expects', async () => {
    tree.write('libs/proto/src/proto-paths.ts', 'export const protoFiles = {};\n');
    await expect(serviceGenerator(tree, { name: 'inventory' })).rejects.toThrow(
      /libs\/proto\/src\/proto-paths\.ts/,
    );
  });
});
