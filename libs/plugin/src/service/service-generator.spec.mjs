import { addProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
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
  'eslint.config.mjs',
  'apps/user-service/src/user-service.config.ts',
  'apps/order-service/src/order-service.config.ts',
  'apps/fulfillment-worker/src/fulfillment-worker.config.ts',
  'tools/dev/stack.mjs',
  'docker-compose.yml',
  'deploy/postgres/init-databases.sh',
  'deploy/env.example',
  'deploy/prometheus/prometheus.yml',
  'deploy/kubernetes/chart/values.yaml',
  'deploy/kubernetes/chart/values-operators.yaml',
  'README.md',
];
/** Workspace files the generator only reads: the retention (eventRetentionMs) its KafkaTopic takes. */
const readOnly = ['libs/proto/src/events/event-retention.ts'];

/** @type {import('@nx/devkit').Tree} */
let tree;
/** @type {Map<string, string>} every file of the tree before the generator ran */
let before;

/** An empty workspace holding the files the generator extends, as the repository has them. */
function seededTree() {
  const seeded = createTreeWithEmptyWorkspace();
  // The workspace formats with Prettier (the empty workspace comes with oxfmt's settings).
  seeded.delete('.oxfmtrc.json');
  seeded.write('.prettierrc.json', readFileSync(join(workspaceRoot, '.prettierrc.json'), 'utf8'));
  for (const path of [...extended, ...readOnly])
    seeded.write(path, readFileSync(join(workspaceRoot, path), 'utf8'));
  addProjectConfiguration(seeded, 'order-service', { root: 'apps/order-service' });
  seeded.write('protos/platform/order/v1/order.proto', 'syntax = "proto3";\n');
  return seeded;
}

beforeEach(() => {
  tree = seededTree();
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

  it('writes the domain lib and the app, in the scope its lint constraint adds', async () => {
    await serviceGenerator(tree, { name: 'shipping2' });
    for (const file of [
      'libs/shipping2/domain/migrations/0001_create_shipping2_items.sql',
      'libs/shipping2/domain/src/shipping2-item-book.ts',
      'libs/shipping2/domain/src/index.ts',
      'apps/shipping2-service/src/main.ts',
      'apps/shipping2-service/src/shipping2.controller.ts',
      'apps/shipping2-service/test/shipping2-service.spec.ts',
      'apps/shipping2-service/test/process.spec.ts',
      'apps/shipping2-service/README.md',
    ]) {
      expect(tree.exists(file), file).toBe(true);
    }
    expect(JSON.parse(tree.read('apps/shipping2-service/project.json', 'utf8') ?? '').tags).toEqual([
      'scope:shipping2',
      'type:app',
    ]);
    expect(JSON.parse(tree.read('libs/shipping2/domain/project.json', 'utf8') ?? '').tags).toEqual([
      'scope:shipping2',
      'type:domain',
    ]);
    expect(flat('eslint.config.mjs')).toContain(
      "{sourceTag: 'scope:shipping2', onlyDependOnLibsWithTags: ['scope:shipping2', 'scope:shared']}",
    );
    const app = read('apps/shipping2-service/src/shipping2-service.ts');
    expect(app).toContain("from '@platform/service'");
    expect(app).toContain("from '@platform/shipping2-domain'");
    for (const [path, text] of [...tree.listChanges()].map((change) => [
      change.path,
      change.content?.toString() ?? '',
    ])) {
      if (path.includes('shipping2')) expect(text, path).not.toMatch(/TODO|FIXME|<%|%>/);
    }
  });

  it('wires the service into the dev stack, compose, its database, secrets, Prometheus and the README', async () => {
    await serviceGenerator(tree, { name: 'loyalty-points', description: 'Owns the points users earn.' });
    expect(flat('tools/dev/stack.mjs')).toContain(
      "{name: 'loyalty-points-service', database: 'loyalty_points_service', budgetMb: 200, heapMb: 128, dataDirVariable: 'LOYALTY_POINTS_DATA_DIR'}",
    );
    const compose = parse(tree.read('docker-compose.yml', 'utf8') ?? '', { merge: true });
    const service = compose.services['loyalty-points-service'];
    expect(service.environment).toMatchObject({
      LOYALTY_POINTS_GRPC_PORT: 50_053,
      LOYALTY_POINTS_METRICS_PORT: 9_467,
      DATABASE_URL: expect.stringMatching(
        /^postgres:\/\/loyalty_points_service:\$\{LOYALTY_POINTS_SERVICE_DB_PASSWORD:\?[^}]*\}@postgres:5432\/loyalty_points_service$/,
      ),
    });
    expect(service.healthcheck.test).toContain('platform.loyalty_points.v1.LoyaltyPointsService');
    expect(Object.keys(service.depends_on)).toEqual(['postgres', 'kafka', 'user-service', 'jaeger']);
    expect(compose.volumes).toHaveProperty(['loyalty-points-service-data']);
    expect(compose.services.postgres.environment).toHaveProperty('LOYALTY_POINTS_SERVICE_DB_PASSWORD');
    expect(tree.read('deploy/postgres/init-databases.sh', 'utf8')).toContain(
      'create_database loyalty_points_service "$LOYALTY_POINTS_SERVICE_DB_PASSWORD"',
    );
    expect(read('deploy/env.example')).toMatch(/^LOYALTY_POINTS_SERVICE_DB_PASSWORD=$/m);
    const prometheusFile = tree.read('deploy/prometheus/prometheus.yml', 'utf8') ?? '';
    expect(prometheusFile).toMatch(/- targets: \[["']loyalty-points-service:9467["']\]/);
    const prometheus = parse(prometheusFile);
    expect(
      prometheus.scrape_configs.map((/** @type {{ job_name: string }} */ job) => job.job_name).at(-2),
    ).toBe('loyalty-points-service');
    expect(read('README.md')).toMatch(
      /^\| `apps\/loyalty-points-service\/` +\| `platform\.loyalty_points\.v1\.LoyaltyPointsService`: Owns/m,
    );
  });

  it("adds the service's entry to the Helm chart's apps, its topic to the operators profile's KafkaTopics and its database there", async () => {
    await serviceGenerator(tree, { name: 'loyalty-points' });
    const valuesFile = tree.read('deploy/kubernetes/chart/values.yaml', 'utf8') ?? '';
    const values = parse(valuesFile);
    const original = readFileSync(join(workspaceRoot, 'deploy/kubernetes/chart/values.yaml'), 'utf8');
    const originalValues = parse(original);
    expect(Object.keys(values.apps)).toEqual([...Object.keys(originalValues.apps), 'loyalty-points-service']);
    expect(values.apps['loyalty-points-service']).toMatchObject({
      kind: 'grpc',
      variablePrefix: 'LOYALTY_POINTS',
      grpc: { port: 50_053, service: 'platform.loyalty_points.v1.LoyaltyPointsService', public: true },
      metrics: { port: 9_467 },
      database: { urlSecret: 'loyalty-points-service-db', urlKey: 'DATABASE_URL', migrate: true },
      kafka: true,
      auth: 'verifier',
      secretEnv: {
        LOYALTY_POINTS_PAGE_TOKEN_KEY: {
          secret: 'loyalty-points-service',
          key: 'LOYALTY_POINTS_PAGE_TOKEN_KEY',
        },
      },
      heapMb: 128,
    });
    // The sizes the generated events file declares (3 partitions, eventRetentionMs: seven days).
    expect(values.operators.strimzi.topics).toEqual([
      ...originalValues.operators.strimzi.topics,
      { name: 'loyalty_points.events.v1', partitions: 3, retentionMs: 604_800_000 },
    ]);
    // One flow mapping per topic, as the file writes them (wrapped here: Prettier's default width).
    expect(valuesFile).toMatch(/- \{\s*name: loyalty_points\.events\.v1,\s*partitions: 3,/);
    // The rest of the file is as it was: its comments kept, the other values unchanged.
    for (const line of original.split('\n').filter((text) => text.trimStart().startsWith('#'))) {
      expect(valuesFile).toContain(line);
    }
    const { apps, ...rest } = values;
    const { apps: originalApps, ...originalRest } = originalValues;
    rest.operators.strimzi.topics.pop();
    expect(rest).toEqual(originalRest);
    expect(apps).toMatchObject(originalApps);
    expect(
      parse(tree.read('deploy/kubernetes/chart/values-operators.yaml', 'utf8') ?? '').apps,
    ).toMatchObject({
      'order-service': { database: { urlSecret: 'order-service-db-app', urlKey: 'uri' } },
      'loyalty-points-service': { database: { urlSecret: 'loyalty-points-service-db-app', urlKey: 'uri' } },
    });
  });

  it("takes the next free ports of the platform's scheme, or the --port given", async () => {
    await serviceGenerator(tree, { name: 'inventory' });
    const config = flat('apps/inventory-service/src/inventory-service.config.ts');
    expect(config).toMatch(/servingVariables\('INVENTORY', \{ ?grpcPort: 50_?053, ?metricsPort: 9_?467,/);
    tree = seededTree();
    await serviceGenerator(tree, { name: 'loyalty-points', port: 50_100 });
    expect(flat('apps/loyalty-points-service/src/loyalty-points-service.config.ts')).toMatch(
      /servingVariables\('LOYALTY_POINTS', \{ ?grpcPort: 50_?100,/,
    );
  });

  it('with --consumes, adds a consumer of that topic with its inbox, or refuses an unknown topic', async () => {
    for (const file of ['user-events.ts', 'order-events.ts']) {
      const path = `libs/proto/src/events/${file}`;
      tree.write(path, readFileSync(join(workspaceRoot, path), 'utf8'));
    }
    before = snapshot();
    await expect(serviceGenerator(tree, { name: 'inventory', consumes: 'stock.events.v1' })).rejects.toThrow(
      /"stock\.events\.v1" is not a platform topic; the topics declared in libs\/proto\/src\/events are order\.events\.v1, user\.events\.v1\. Nothing was written/,
    );
    expect(written()).toEqual([]);
    await serviceGenerator(tree, { name: 'inventory', consumes: 'user.events.v1' });
    expect(flat('apps/inventory-service/src/user-events-consumer.ts')).toContain(
      "export const userEventsGroup = 'inventory-service.user-events';",
    );
    const app = flat('apps/inventory-service/src/inventory-service.ts');
    expect(app).toContain('async wire({config, db, key, logger})');
    expect(app).toContain('consumers: [{group: userEventsGroup, db, handlers: userEventsHandlers(logger)}],');
    expect(
      parse(tree.read('deploy/kubernetes/chart/values.yaml', 'utf8') ?? '').operators.strimzi.consumerGroups,
    ).toContainEqual({
      topic: 'user.events.v1',
      group: 'inventory-service.user-events',
    });
  });

  it('refuses a --port another app has, writing nothing', async () => {
    await expect(serviceGenerator(tree, { name: 'inventory', port: 50_052 })).rejects.toThrow(
      /port 50052 is another app's default\. Nothing was written/,
    );
    expect(written()).toEqual([]);
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
