import { formatFiles, generateFiles, getProjects, readJson } from '@nx/devkit';
import { join } from 'node:path';
import { consumerPlan, writeConsumer } from '../consumer/consumer-generator.mjs';
import { platformTopic } from '../consumer/platform-topics.mjs';
import { nameProblem, serviceNames } from '../names/service-names.mjs';
import { addChartValues } from './chart-values.mjs';
import { addComposeService, addDatabaseSecrets, addPrometheusTarget } from './deploy-wiring.mjs';
import { editSource } from './edit-source.mjs';
import { nextFreePorts } from './free-ports.mjs';
import { linkWorkspacePackages, lockWorkspacePackages } from './workspace-packages.mjs';

/**
 * @typedef {object} ServiceGeneratorOptions
 * @property {string} name the service's name, lower-case kebab-case
 * @property {string} [description] one sentence on what it owns
 * @property {number} [port] its gRPC port; defaults to the next free one of the platform's scheme
 * @property {string} [consumes] a platform topic it consumes (the consumer generator's)
 */

/**
 * Why `names` is taken in `tree`, or undefined: a project of either name, or a contract package
 * of the same name.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @returns {(names: ReturnType<typeof serviceNames>) => string | undefined}
 */
function takenIn(tree) {
  const projects = getProjects(tree);
  return (names) => {
    for (const project of [names.app, names.domain, names.name]) {
      if (projects.has(project)) return `"${names.name}" is taken: the project ${project} exists`;
    }
    if (tree.exists(names.protoDir)) return `"${names.name}" is taken: ${names.protoDir} exists`;
    return undefined;
  };
}

/**
 * `nx g @platform/plugin:service <name>`: adds a service: its contracts (the service, its
 * resource and its events under protos/platform/<package>/v1), declared in @platform/proto
 * (exports, proto paths, the event topic and type); its domain lib (libs/<name>/domain) and its
 * app on the service runtime (apps/<name>-service) with their tests; its lint scope; and its
 * workspace packages (package-lock.json, linked into node_modules once written); with
 * `consumes`, a consumer of that topic. An invalid or taken name, an unknown topic or a taken port
 * throws before anything is written.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ServiceGeneratorOptions} options
 */
export async function serviceGenerator(tree, options) {
  const problem = nameProblem(options.name, takenIn(tree));
  if (problem) throw new Error(`Cannot add the service: ${problem}. Nothing was written.`);
  const consumed = options.consumes === undefined ? undefined : platformTopic(tree, options.consumes);
  if (typeof consumed === 'string')
    throw new Error(`Cannot add the service: ${consumed}. Nothing was written.`);
  const names = serviceNames(options.name);
  const ports = nextFreePorts(tree, options.port);
  const description = options.description?.trim() || `Owns the ${names.name} items of the platform.`;
  const substitutions = { ...names, ...ports, description, tmpl: '' };
  const files = (/** @type {string} */ folder) => join(import.meta.dirname, 'files', folder);

  generateFiles(tree, files('protos'), 'protos', substitutions);
  generateFiles(tree, files('proto-events'), 'libs/proto/src/events', substitutions);
  declareInProtoLib(tree, names);
  const domainDir = `libs/${names.name}/domain`;
  const appDir = `apps/${names.app}`;
  generateFiles(tree, files('domain'), domainDir, substitutions);
  generateFiles(tree, files('app'), appDir, substitutions);
  if (consumed) writeConsumer(tree, consumerPlan(tree, { topic: consumed.topic, project: names.app }));
  editSource(
    tree,
    'eslint.config.mjs',
    /^([ \t]*)(\{ sourceTag: 'scope:platform')/m,
    (_, indent, line) =>
      `${indent}{ sourceTag: 'scope:${names.name}', onlyDependOnLibsWithTags: ['scope:${names.name}', 'scope:shared'] },\n${indent}${line}`,
  );
  addToDevStack(tree, names);
  addComposeService(tree, names, ports);
  addDatabaseSecrets(tree, names);
  addPrometheusTarget(tree, names, ports);
  addChartValues(tree, names, ports);
  addLayoutRows(tree, names, description);
  const packages = [domainDir, appDir].map((dir) => {
    const { name, dependencies } = readJson(tree, `${dir}/package.json`);
    return { dir, name, dependencies };
  });
  lockWorkspacePackages(tree, packages);
  await formatFiles(tree);
  return () => linkWorkspacePackages(tree.root, packages);
}

/**
 * `npm run dev` starts the service after the order service, on its own database of the dev
 * stack's PostgreSQL (tools/dev/stack.mjs, the one list of the dev stack's apps).
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ReturnType<typeof serviceNames>} names
 */
function addToDevStack(tree, names) {
  editSource(
    tree,
    'tools/dev/stack.mjs',
    /^([ \t]*)(\{ name: 'fulfillment-worker')/m,
    (_, indent, line) =>
      `${indent}{ name: '${names.app}', database: '${names.database}', budgetMb: 200, heapMb: 128, ` +
      `dataDirVariable: '${names.constant}_DATA_DIR' },\n${indent}${line}`,
  );
}

/**
 * The app's and the domain lib's rows in the root README's layout table, after the order
 * service's.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ReturnType<typeof serviceNames>} names
 * @param {string} description
 */
function addLayoutRows(tree, names, description) {
  const row = (/** @type {string} */ path, /** @type {string} */ owns) => `| \`${path}\` | ${owns} |\n`;
  editSource(
    tree,
    'README.md',
    /^\| `apps\/order-service\/`[^\n]*\n/m,
    (line) =>
      line +
      row(
        `apps/${names.app}/`,
        `\`${names.protoPackage}.${names.serviceType}\`: ${description} [README](apps/${names.app}/README.md)`,
      ),
  );
  editSource(
    tree,
    'README.md',
    /^\| `libs\/order\/domain\/`[^\n]*\n/m,
    (line) =>
      line +
      row(
        `libs/${names.name}/domain/`,
        `The ${names.app}'s logic: its ${names.resource} resources, access rules, validators, SQL migrations.`,
      ),
  );
}

/**
 * Adds the service's generated code, paths, service name and events to @platform/proto.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ReturnType<typeof serviceNames>} names
 */
function declareInProtoLib(tree, names) {
  const { camel, protoPackage, snake, serviceType } = names;
  const events = `${camel}EventsTopic, ${camel}ItemCreated`;
  editSource(
    tree,
    'libs/proto/src/index.ts',
    /^export \* from '\.\/gen\/index\.google\.rpc\.js';$/m,
    (line) => `export * from './gen/index.${protoPackage}.js';\n${line}`,
  );
  editSource(
    tree,
    'libs/proto/src/index.ts',
    /^export \{ platformEventTypes, platformTopics \}/m,
    (line) => `export { ${events} } from './events/${names.name}-events.js';\n${line}`,
  );
  editSource(
    tree,
    'libs/proto/src/proto-paths.ts',
    /(export const protoFiles = \{[^}]*?)(\n\} as const;)/,
    (_, entries, end) =>
      `${entries}\n  ${camel}Service: 'platform/${snake}/v1/${snake}_service.proto',` +
      `\n  ${camel}Events: 'platform/${snake}/v1/${snake}_events.proto',${end}`,
  );
  editSource(
    tree,
    'libs/proto/src/proto-paths.ts',
    /(export const serviceNames = \{[^}]*?)(\n\} as const;)/,
    (_, entries, end) => `${entries}\n  ${camel}: '${protoPackage}.${serviceType}',${end}`,
  );
  const platformEvents = 'libs/proto/src/events/platform-events.ts';
  editSource(
    tree,
    platformEvents,
    /^(import [^\n]*\n)(?!import )/m,
    (imports) => `${imports}import { ${events} } from './${names.name}-events.js';\n`,
  );
  editSource(
    tree,
    platformEvents,
    /(export const platformTopics = \[[^\]]*)(\] as const;)/,
    (_, topics, end) => `${topics}, ${camel}EventsTopic${end}`,
  );
  editSource(
    tree,
    platformEvents,
    /(\n)(\)\[\] = \[[^\]]*)(\];)/,
    (_, newline, list, end) =>
      `${newline}  | typeof ${camel}ItemCreated${newline}${list}, ${camel}ItemCreated${end}`,
  );
  const spec = 'libs/proto/src/events/platform-events.spec.ts';
  editSource(
    tree,
    spec,
    /^import \* as userV1 from [^\n]*\n/m,
    (line) => `${line}import * as ${camel}V1 from '../gen/index.${protoPackage}.js';\n`,
  );
  editSource(
    tree,
    spec,
    /(const generated: Record<string, Record<string, unknown>> = \{[^}]*?)(\n\};)/,
    (_, entries, end) => `${entries}\n  '${protoPackage}': ${camel}V1,${end}`,
  );
}
