import { isMap, isSeq, parseDocument } from 'yaml';

/**
 * @typedef {ReturnType<typeof import('../names/service-names.mjs').serviceNames>} ServiceNames
 * @typedef {{ grpcPort: number, metricsPort: number }} Ports
 */

const valuesFile = 'deploy/kubernetes/chart/values.yaml';
const operatorsFile = 'deploy/kubernetes/chart/values-operators.yaml';

const eventsDir = 'libs/proto/src/events';

/** A TypeScript number literal (`604_800_000`) or a product of them (`7 * 24 * 60 * 60 * 1000`). */
function numberOf(/** @type {string} */ expression) {
  const factors = expression.split('*').map((factor) => factor.trim().replaceAll('_', ''));
  if (!factors.every((factor) => /^\d+$/.test(factor))) return undefined;
  return factors.reduce((product, factor) => product * Number(factor), 1);
}

/**
 * The partitions and retention libs/proto declares for `topic` (the generated events file), so
 * its KafkaTopic has the sizes the services create it with elsewhere. A retention given by a
 * constant of the events directory (`eventRetentionMs`) is read from its declaration.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {string} topic
 */
function topicSizes(tree, topic) {
  const sources = tree
    .children(eventsDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => tree.read(`${eventsDir}/${file}`, 'utf-8') ?? '')
    .join('\n');
  const spec =
    new RegExp(`\\{\\s*name: ["']${topic.replaceAll('.', '\\.')}["'],([^}]*)\\}`).exec(sources)?.[1] ?? '';
  const partitions = numberOf(/partitions: ([^,\n]+)/.exec(spec)?.[1] ?? '');
  let retention = /retentionMs: ([^,\n]+)/.exec(spec)?.[1]?.trim() ?? '';
  if (/^[A-Za-z_]\w*$/.test(retention)) {
    retention = new RegExp(`export const ${retention} = ([^;]+);`).exec(sources)?.[1] ?? '';
  }
  const retentionMs = numberOf(retention);
  if (partitions === undefined || retentionMs === undefined) {
    throw new Error(
      `the partitions and retentionMs of ${topic} are not numbers in ${eventsDir}; add its KafkaTopic to operators.strimzi.topics by hand`,
    );
  }
  return { partitions, retentionMs };
}

/**
 * Reads a values file as a YAML document (which keeps its comments) and its `apps` map.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {string} file
 */
function appsOf(tree, file) {
  const text = tree.read(file, 'utf-8');
  if (text === null) throw new Error(`${file} is missing; the generator adds the service to it`);
  const document = parseDocument(text);
  const apps = document.get('apps');
  if (document.errors.length || !isMap(apps)) {
    throw new Error(`${file} has no apps map; add the service's entry by hand`);
  }
  return { document, apps };
}

/**
 * The service's entry in the Helm chart's `apps` map (deploy/kubernetes/chart/values.yaml), the
 * one component template renders it like the hand-written services: a gRPC server verifying
 * tokens with the public key set, its database from the `<app>-db` Secret with a migration Job,
 * Kafka, and its page-token key from the `<app>` Secret. Requests, limits and heap are the order
 * service's measured ones (deploy/kubernetes/README.md), a service of the same shape. Where the
 * operators profile points the services at the databases CloudNativePG makes, the service's is
 * added there too. Its topic goes to the operators profile's KafkaTopics
 * (`operators.strimzi.topics`, with the partitions and retention libs/proto declares), where the
 * services do not create topics. Edited as YAML documents, which keep the files' comments.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ServiceNames} names
 * @param {Ports} ports
 */
export function addChartValues(tree, names, { grpcPort, metricsPort }) {
  const { app, constant, protoPackage, serviceType } = names;
  const pageTokenKey = `${constant}_PAGE_TOKEN_KEY`;
  const values = appsOf(tree, valuesFile);
  const entry = values.document.createNode({
    kind: 'grpc',
    variablePrefix: constant,
    grpc: { port: grpcPort, service: `${protoPackage}.${serviceType}`, public: true },
    metrics: { port: metricsPort },
    database: { urlSecret: `${app}-db`, urlKey: 'DATABASE_URL', migrate: true },
    kafka: true,
    auth: 'verifier',
    env: { LOG_LEVEL: 'info' },
    secretEnv: { [pageTokenKey]: { secret: app, key: pageTokenKey } },
    heapMb: 128,
    resources: {
      requests: { cpu: '250m', memory: '192Mi' },
      limits: { cpu: '1', memory: '320Mi' },
    },
    autoscaling: { enabled: true },
  });
  // One line per secret reference and resource set, as the file writes them.
  for (const path of [
    ['secretEnv', pageTokenKey],
    ['resources', 'requests'],
    ['resources', 'limits'],
  ]) {
    const node = entry.getIn(path);
    if (isMap(node)) node.flow = true;
  }
  const pair = values.document.createPair(app, entry);
  pair.key.spaceBefore = true;
  values.apps.items.push(pair);
  const topics = values.document.getIn(['operators', 'strimzi', 'topics']);
  if (!isSeq(topics))
    throw new Error(`${valuesFile} has no operators.strimzi.topics list; add ${names.topic} by hand`);
  const topic = values.document.createNode({ name: names.topic, ...topicSizes(tree, names.topic) });
  if (isMap(topic)) topic.flow = true;
  topics.items.push(topic);
  tree.write(valuesFile, values.document.toString({ flowCollectionPadding: true }));

  const operators = appsOf(tree, operatorsFile);
  const listsDatabases = operators.apps.items.some((item) => isMap(item.value) && item.value.has('database'));
  if (listsDatabases) {
    operators.apps.set(app, {
      database: { urlSecret: `${app}-db-app`, urlKey: 'uri' },
    });
    tree.write(operatorsFile, operators.document.toString());
  }
}
