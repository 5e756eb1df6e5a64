// What the chart's specs run: helm and the API server launcher as the CLIs a person runs
// (tools/helm/helm.mjs, tools/kube/kube.mjs), the chart rendered and parsed, and the operators'
// CRDs from the Go module proxy.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const root = resolve(import.meta.dirname, '..', '..', '..');
export const chartDir = join(root, 'deploy', 'kubernetes', 'chart');
export const operatorsValues = join(chartDir, 'values-operators.yaml');
/** The `apps` map of the chart's default values: every app the chart deploys, by name. */
export const chartApps = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')).apps;
const helmCli = join(root, 'tools', 'helm', 'helm.mjs');
const kubeCli = join(root, 'tools', 'kube', 'kube.mjs');

/**
 * Runs a node CLI without blocking the event loop (a first helm build takes minutes), its
 * stderr passed through as progress. Resolves the exit code, stdout and stderr.
 */
export function runCli(script, args, { env = process.env, input } = {}) {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (/ (building|waiting|packages compiled|built) /.test(String(chunk))) process.stderr.write(chunk);
    });
    child.once('error', rejectRun);
    child.once('close', (code) => resolveRun({ status: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

export const helm = (args) => runCli(helmCli, args);
export const kube = (args, env, input) => runCli(kubeCli, args, { env, input });

/** The objects of a multi-document YAML stream. */
export function parseManifests(text) {
  return parseAllDocuments(text)
    .map((document) => document.toJS())
    .filter((object) => object && typeof object === 'object');
}

/** `helm template` of the chart into namespace `platform`; throws with helm's error on failure. */
export async function render(args = []) {
  const result = await helm(['template', 'platform', chartDir, '--namespace', 'platform', ...args]);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return { text: result.stdout, objects: parseManifests(result.stdout) };
}

/**
 * Values giving the operators profile a topic as the service generator names one (snake_case
 * from the proto package, `loyalty_points.events.v1`) and a consumer group of it, whose retry
 * and dead-letter topics carry the '_' too.
 */
const generatedTopic = { name: 'loyalty_points.events.v1', partitions: 3, retentionMs: 604_800_000 };
export const generatedTopicArgs = [
  '--set-json',
  `operators.strimzi.topics=${JSON.stringify([generatedTopic])}`,
  '--set-json',
  `operators.strimzi.consumerGroups=${JSON.stringify([
    { topic: generatedTopic.name, group: 'order-service.loyalty-points-events' },
  ])}`,
];

/** The one object of a kind and name; throws naming what is missing. */
export function find(objects, kind, name) {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
}

/**
 * CRD files of the operators the profile uses, from their Go modules (the module proxy serves a
 * repository's whole tree, config and examples included). Strimzi publishes no Go module, and
 * its Maven artifacts hold no CRD YAML: its resources get the strict schema check instead.
 */
export const operatorCrdSources = [
  {
    module: 'github.com/cloudnative-pg/cloudnative-pg@v1.28.0',
    file: 'config/crd/bases/postgresql.cnpg.io_clusters.yaml',
  },
  {
    module: 'github.com/prometheus-operator/prometheus-operator@v0.85.0',
    file: 'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml',
  },
];

/** The CRD YAML of each source, downloaded once into the Go module cache. */
export function operatorCrds() {
  return operatorCrdSources.map(({ module, file }) => {
    const result = spawnSync('go', ['mod', 'download', '-json', module], { encoding: 'utf8' });
    const info = result.stdout ? JSON.parse(result.stdout) : {};
    if (result.status !== 0 || !info.Dir) {
      throw new Error(`go mod download ${module} failed: ${info.Error ?? result.stderr ?? result.error}`);
    }
    return { module, file, text: readFileSync(join(info.Dir, file), 'utf8') };
  });
}
