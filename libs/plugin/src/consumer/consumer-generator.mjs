import { formatFiles, generateFiles, getProjects, names as nxNames } from '@nx/devkit';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { editSource } from '../service/edit-source.mjs';
import { platformTopic } from './platform-topics.mjs';

/**
 * @typedef {object} ConsumerGeneratorOptions
 * @property {string} topic a platform topic, as libs/proto/src/events declares it
 * @property {string} project the app on the service runtime that consumes it
 */

/**
 * What the consumer of `options.topic` in `options.project` is named and where it goes, or why
 * it cannot be added: an unknown topic, a project that is not an app on the service runtime with
 * a database (the inbox's), or a group the app has already.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ConsumerGeneratorOptions} options
 */
export function consumerPlan(tree, { topic, project }) {
  const found = platformTopic(tree, topic);
  const refuse = (/** @type {string} */ why) => {
    throw new Error(`Cannot add the consumer: ${why}. Nothing was written.`);
  };
  if (typeof found === 'string') return refuse(found);
  const config = getProjects(tree).get(project);
  if (!config) return refuse(`there is no project "${project}"`);
  const definition = `${config.root}/src/${project}.ts`;
  const source = tree.read(definition, 'utf-8') ?? '';
  if (
    !config.root.startsWith('apps/') ||
    !source.includes('ServingDefinition<') ||
    !/async wire\(\{/.test(source)
  ) {
    return refuse(
      `${project} is not an app on the service runtime with a database (no ServingDefinition in ${definition}); the inbox needs the service's database`,
    );
  }
  const base = nxNames(found.topic.replace(/\.events\.v\d+$/, '').replaceAll('_', '-')).fileName;
  const slug = `${base}-events`;
  const plan = {
    app: project,
    topic: found.topic,
    topicConstant: found.constant,
    events: found.events,
    group: `${project}.${slug}`,
    file: `${slug}-consumer`,
    camel: nxNames(slug).propertyName,
    root: config.root,
    definition,
  };
  if (
    tree.exists(`${plan.root}/src/${plan.file}.ts`) ||
    [`'${plan.group}'`, `"${plan.group}"`].some((quoted) => source.includes(quoted))
  ) {
    return refuse(`${project} already consumes ${found.topic} (group ${plan.group})`);
  }
  return plan;
}

/**
 * Writes the consumer `consumerPlan` made: its group and handlers (src/<topic>-events-consumer.ts),
 * the group in the app's `consumers` with the service's database as its inbox, and, in the Helm
 * chart's operators profile, the group's retry and dead-letter topics.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ReturnType<typeof consumerPlan>} plan
 */
export function writeConsumer(tree, plan) {
  generateFiles(tree, join(import.meta.dirname, 'files'), plan.root, { ...plan, tmpl: '' });
  const { camel, definition, file } = plan;
  editSource(
    tree,
    definition,
    /^(import [^;]*;\n)(?![\s\S]*^import )/m,
    (last) => `${last}import { ${camel}Group, ${camel}Handlers } from './${file}.js';\n`,
  );
  // The wiring needs the logger and the database: add them to what it takes from the runtime.
  editSource(tree, definition, /async wire\(\{([^}]*)\}\)/, (_, taken) => {
    const parts = taken
      .split(',')
      .map((/** @type {string} */ part) => part.trim())
      .filter(Boolean);
    for (const part of ['db', 'logger']) if (!parts.includes(part)) parts.push(part);
    return `async wire({ ${parts.join(', ')} })`;
  });
  const entry = `{ group: ${camel}Group, db, handlers: ${camel}Handlers(logger) }`;
  const text = tree.read(definition, 'utf-8') ?? '';
  if (/^[ \t]*consumers: \[/m.test(text)) {
    editSource(tree, definition, /^([ \t]*consumers: \[)/m, (opening) => `${opening}\n${entry},`);
  } else {
    editSource(
      tree,
      definition,
      /^([ \t]*)(own: [^\n]*,\n)/m,
      (_, indent, own) => `${indent}${own}${indent}consumers: [${entry}],\n`,
    );
  }
  addConsumerGroupTopics(tree, plan);
}

/**
 * The group's retry and dead-letter topics as KafkaTopics of the operators profile
 * (`operators.strimzi.consumerGroups` of the chart's values.yaml), where the apps do not create
 * topics. Skipped when the workspace has no chart.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {{ topic: string, group: string }} plan
 */
function addConsumerGroupTopics(tree, { topic, group }) {
  const file = 'deploy/kubernetes/chart/values.yaml';
  const text = tree.read(file, 'utf-8');
  if (text === null) return;
  const document = parseDocument(text);
  const groups = document.getIn(['operators', 'strimzi', 'consumerGroups']);
  if (!isSeq(groups))
    throw new Error(`${file} has no operators.strimzi.consumerGroups list; add ${group} by hand`);
  const node = document.createNode({ topic, group });
  if (isMap(node)) node.flow = true;
  groups.items.push(node);
  tree.write(file, document.toString({ flowCollectionPadding: true }));
}

/**
 * `nx g @platform/plugin:consumer <topic> --project <app>`: adds a consumer group of a platform
 * topic to an app on the service runtime, with its inbox, retry and dead-letter topics. An
 * unknown topic or a project that is not such an app throws before anything is written.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ConsumerGeneratorOptions} options
 */
export async function consumerGenerator(tree, options) {
  writeConsumer(tree, consumerPlan(tree, options));
  await formatFiles(tree);
}
