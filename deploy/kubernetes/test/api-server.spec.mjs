// The rendered chart against a real Kubernetes API server (kube-apiserver on etcd, started by
// tools/kube/kube.mjs): server-side apply with dryRun=All and strict field validation runs the
// API's own defaulting, validation and admission on every object, storing nothing. The
// operators profile's CloudNativePG Cluster and ServiceMonitor are validated against their
// CRDs, installed first; Strimzi's resources get the strict schema check (chart.spec.mjs), and
// the KafkaTopics the API server's own checks too (their names above all), through a stand-in CRD.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { find, generatedTopicArgs, kube, operatorCrds, operatorsValues, render } from './chart-tools.mjs';
import { kafkaTopicStandInCrd } from './strimzi-schema.mjs';

const dir = mkdtempSync(join(tmpdir(), 'platform-chart-'));
const env = { ...process.env, KUBE_STATE_FILE: join(dir, 'kube-state.json') };
let defaults;

/** `kube.mjs apply` of objects (or YAML text) in namespace `platform`; resolves its output. */
async function apply(objects, { dryRun = true } = {}) {
  const file = join(dir, `apply-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    typeof objects === 'string' ? objects : objects.map((o) => `---\n${stringify(o)}`).join(''),
  );
  return kube(['apply', ...(dryRun ? ['--dry-run'] : []), '-n', 'platform', file], env);
}

beforeAll(async () => {
  const started = await kube(['start'], env);
  if (started.status !== 0) throw new Error(`kube.mjs start failed:\n${started.stderr}`);
  console.log(started.stderr.trim());
  defaults = await render();
});

afterAll(async () => {
  await kube(['stop'], env);
  rmSync(dir, { recursive: true, force: true });
});

describe('kubectl apply --server-side --dry-run=server, by the real API server', () => {
  it('accepts every object of the default profile', async () => {
    const result = await apply(defaults.text);
    console.log(`default profile, server dry run:\n${result.stdout}${result.stderr}`);
    expect(result.stderr).not.toMatch(/: /);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(defaults.objects.length);
    expect(lines.every((line) => line.endsWith('serverside-applied (server dry run)'))).toBe(true);
    expect(lines).toContain('deployment.apps/user-service serverside-applied (server dry run)');
    expect(lines).toContain(
      'horizontalpodautoscaler.autoscaling/order-service serverside-applied (server dry run)',
    );
  });

  it('accepts the operators profile with the CloudNativePG and Prometheus Operator CRDs installed', async () => {
    const crds = operatorCrds();
    const installed = await apply(crds.map((crd) => crd.text).join('\n---\n'), { dryRun: false });
    expect(installed.stderr).toBe('');
    expect(installed.stdout).toContain(
      'customresourcedefinition.apiextensions.k8s.io/clusters.postgresql.cnpg.io',
    );
    // Every KafkaTopic too (its name and spec's types), through the stand-in CRD; the Kafka and
    // KafkaNodePool have the strict schema check only (chart.spec.mjs).
    expect((await apply([kafkaTopicStandInCrd], { dryRun: false })).stderr).toBe('');
    const { objects } = await render(['--values', operatorsValues]);
    const validated = objects.filter(
      (object) => !object.apiVersion.startsWith('kafka.strimzi.io/') || object.kind === 'KafkaTopic',
    );
    expect(validated.filter((object) => object.kind === 'KafkaTopic').length).toBeGreaterThan(0);
    const result = await apply(validated);
    console.log(`operators profile, server dry run:\n${result.stdout}${result.stderr}`);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      'cluster.postgresql.cnpg.io/user-service-db serverside-applied (server dry run)',
    );
    expect(result.stdout).toContain(
      'servicemonitor.monitoring.coreos.com/order-service serverside-applied (server dry run)',
    );

    // The CRD's schema is enforced: a Cluster with a misspelt field is refused.
    const cluster = structuredClone(find(objects, 'Cluster', 'user-service-db'));
    cluster.spec.instance = 3;
    const refused = await apply([cluster]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /cluster\.postgresql\.cnpg\.io\/user-service-db: .*\.spec\.instance: field not declared in schema/,
    );
  });
});

describe("a topic with '_' (as the service generator names them) in the operators profile", () => {
  it('is accepted as a KafkaTopic by its derived name, where the topic name itself is refused', async () => {
    const installed = await apply([kafkaTopicStandInCrd], { dryRun: false });
    expect(installed.stderr).toBe('');
    const { objects } = await render(['--values', operatorsValues, ...generatedTopicArgs]);
    const topics = objects.filter((object) => object.kind === 'KafkaTopic');
    expect(topics.map((object) => object.spec.topicName)).toContain('loyalty_points.events.v1');
    const result = await apply(topics);
    console.log(`KafkaTopics of a topic with '_', server dry run:\n${result.stdout}${result.stderr}`);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(
      topics.map(
        (object) => `kafkatopic.kafka.strimzi.io/${object.metadata.name} serverside-applied (server dry run)`,
      ),
    );

    // What the chart did before: the Kafka topic's own name as the resource name.
    const named = structuredClone(find(topics, 'KafkaTopic', 'loyalty-points.events.v1'));
    named.metadata.name = named.spec.topicName;
    const refused = await apply([named]);
    console.log(`the topic's own name as the KafkaTopic's, server dry run:\n${refused.stderr}`);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/loyalty_points\.events\.v1.*RFC 1123 subdomain/);
  });
});

describe('a broken manifest is refused by the API server', () => {
  const broken = [
    [
      'an unknown field',
      (objects) => {
        const deployment = structuredClone(find(objects, 'Deployment', 'order-service'));
        deployment.spec.template.spec.containers[0].resource = { limits: { memory: '1Gi' } };
        return deployment;
      },
      /deployment\.apps\/order-service: .*\.spec\.template\.spec\.containers\[name="order-service"\]\.resource: field not declared in schema/,
    ],
    [
      'a bad quantity',
      (objects) => {
        const deployment = structuredClone(find(objects, 'Deployment', 'user-service'));
        deployment.spec.template.spec.containers[0].resources.limits.memory = '320 MiB';
        return deployment;
      },
      /deployment\.apps\/user-service: .*quantities must match the regular expression/,
    ],
    [
      'an HPA whose minReplicas exceeds maxReplicas',
      (objects) => {
        const hpa = structuredClone(find(objects, 'HorizontalPodAutoscaler', 'user-service'));
        hpa.spec.minReplicas = 5;
        hpa.spec.maxReplicas = 3;
        return hpa;
      },
      /horizontalpodautoscaler\.autoscaling\/user-service: .*spec\.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`/,
    ],
  ];

  it.each(broken)('%s', async (name, breakIt, reason) => {
    const result = await apply([breakIt(defaults.objects)]);
    console.log(`${name}, server dry run:\n${result.stderr}`);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(reason);
  });
});
