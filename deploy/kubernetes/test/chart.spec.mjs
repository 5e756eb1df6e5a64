// The chart as helm renders it: lint in both profiles, every piece each app gets, a service added
// by values alone getting the same, the operators profile's resources and topics.
import { beforeAll, describe, expect, it } from 'vitest';
import { appConfigLoader, otelVariables } from '@platform/tools/compose/check-compose.mjs';
import {
  chartApps,
  chartDir,
  find,
  generatedTopicArgs,
  helm,
  operatorsValues,
  render,
  root,
} from './chart-tools.mjs';
import { expectedKafkaTopics } from './platform-events.mjs';
import { readmeSecrets, referencedSecrets, sorted } from './readme-secrets.mjs';
import { strimziSchemaErrors } from './strimzi-schema.mjs';

// The apps' drain bound (SHUTDOWN_DRAIN_TIMEOUT's default, apps/*/src/*.config.ts).
const drainSeconds = 10;

/** A service that exists only in values: what the service generator will add. */
const addedService = {
  kind: 'grpc',
  variablePrefix: 'INVENTORY',
  grpc: { port: 50053, service: 'platform.inventory.v1.InventoryService', public: false },
  metrics: { port: 9467 },
  database: { urlSecret: 'inventory-service-db', urlKey: 'DATABASE_URL', migrate: true },
  kafka: true,
  auth: 'verifier',
  calls: ['user-service'],
  addressVariables: { 'user-service': 'USER_SERVICE_ADDRESS' },
  secretEnv: { AUTH_CLIENT_SECRET: { secret: 'inventory-service', key: 'AUTH_CLIENT_SECRET' } },
  heapMb: 96,
  resources: { requests: { cpu: '100m', memory: '160Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  autoscaling: { enabled: true },
};

// The apps of the chart's values (hand-written, or added by the service generator): what each
// app-wise check runs over, so a generated service is checked too.
const appsWithDatabase = Object.keys(chartApps).filter((name) => chartApps[name].database);
const migratedApps = appsWithDatabase.filter((name) => chartApps[name].database.migrate);

let defaults;
let operators;
beforeAll(async () => {
  defaults = (await render()).objects;
  operators = (await render(['--values', operatorsValues])).objects;
});

describe('helm lint --strict', () => {
  it.each([
    ['the default values', []],
    ['the operators profile', ['--values', operatorsValues]],
  ])('passes with %s', async (_name, args) => {
    const result = await helm(['lint', '--strict', chartDir, ...args]);
    expect(result.stdout + result.stderr).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it('refuses a misspelt value (values.schema.json has no room for unknown keys)', async () => {
    const result = await helm(['lint', '--strict', chartDir, '--set', 'apps.user-service.replica=3']);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/replica/);
  });
});

/** Asserts that app `name` got every piece the chart promises a gRPC service. */
function expectGrpcService(objects, name, { port, service, callers, callees, database }) {
  const deployment = find(objects, 'Deployment', name);
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;

  const probe = { port, service };
  expect(container.startupProbe.grpc).toEqual(probe);
  expect(container.readinessProbe.grpc).toEqual(probe);
  expect(container.livenessProbe.grpc).toEqual(probe);

  expect(container.resources.requests.cpu).toBeDefined();
  expect(container.resources.requests.memory).toBeDefined();
  expect(container.resources.limits.memory).toBeDefined();
  expect(container.securityContext).toMatchObject({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  });
  expect(pod.securityContext).toMatchObject({
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  expect(pod.volumes.find((volume) => volume.name === 'tmp').emptyDir).toBeDefined();
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(find(objects, 'ServiceAccount', name).automountServiceAccountToken).toBe(false);
  expect(pod.serviceAccountName).toBe(name);
  expect(pod.topologySpreadConstraints.map((c) => c.topologyKey)).toEqual([
    'topology.kubernetes.io/zone',
    'kubernetes.io/hostname',
  ]);
  const preStop = container.lifecycle.preStop.sleep.seconds;
  expect(preStop).toBeGreaterThan(0);
  expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + drainSeconds);

  // Variables from the ConfigMap; secrets only by reference, never a value.
  expect(container.envFrom).toEqual([{ configMapRef: { name: `${name}-config` } }]);
  for (const variable of container.env) expect(variable.valueFrom.secretKeyRef).toBeDefined();
  const config = find(objects, 'ConfigMap', `${name}-config`).data;
  expect(config).toMatchObject({ GRPC_MAX_CONNECTION_AGE: '30s', GRPC_MAX_CONNECTION_AGE_GRACE: '10s' });
  for (const callee of callees) {
    expect(Object.values(config)).toContain(
      `dns:///${callee.name}.platform.svc.cluster.local:${callee.port}`,
    );
  }

  const headless = find(objects, 'Service', name);
  expect(headless.spec.clusterIP).toBe('None');
  expect(headless.spec.ports.map((p) => p.name)).toContain('grpc');

  expect(find(objects, 'PodDisruptionBudget', name).spec.maxUnavailable).toBe(1);
  const hpa = find(objects, 'HorizontalPodAutoscaler', name);
  expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
  expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
  expect(deployment.spec.replicas).toBeUndefined();

  if (database) {
    const job = find(objects, 'Job', `${name}-migrate`);
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    expect(job.spec.template.spec.containers[0].command).toEqual([
      'node',
      `/app/apps/${name}/dist/migrate.js`,
    ]);
  }

  const policy = find(objects, 'NetworkPolicy', name);
  const grpcIngress = policy.spec.ingress.filter((rule) => rule.ports[0].port === 'grpc');
  const callerNames = grpcIngress
    .flatMap((rule) =>
      (rule.from ?? []).map((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name']),
    )
    .filter(Boolean);
  expect(callerNames.sort()).toEqual([...callers].sort());
  const calleePorts = policy.spec.egress.flatMap((rule) =>
    (rule.to ?? [])
      .filter((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name'])
      .map(() => rule.ports[0].port),
  );
  expect(calleePorts.sort()).toEqual(callees.map((callee) => callee.port).sort());
  expect(policy.spec.ingress.some((rule) => rule.ports[0].port === 'metrics')).toBe(true);
}

describe('the default profile', () => {
  it('gives each gRPC service every piece, and each the edges it uses', () => {
    expectGrpcService(defaults, 'user-service', {
      port: 50051,
      service: 'platform.user.v1.UserService',
      callers: ['order-service', 'fulfillment-worker'],
      callees: [],
      database: true,
    });
    expectGrpcService(defaults, 'order-service', {
      port: 50052,
      service: 'platform.order.v1.OrderService',
      callers: ['fulfillment-worker'],
      callees: [{ name: 'user-service', port: 50051 }],
      database: true,
    });
  });

  it('denies everything else by default and renders no Secret', () => {
    const deny = find(defaults, 'NetworkPolicy', 'default-deny');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(defaults.filter((object) => object.kind === 'Secret')).toEqual([]);
  });

  it('mounts the signing key in the user service and the public key set in the order service', () => {
    const volumes = (name) => find(defaults, 'Deployment', name).spec.template.spec.volumes;
    expect(volumes('user-service')).toContainEqual(
      expect.objectContaining({
        secret: expect.objectContaining({ secretName: 'platform-auth-signing-key' }),
      }),
    );
    expect(volumes('order-service')).toContainEqual({
      name: 'jwks',
      configMap: { name: 'platform-auth-jwks' },
    });
    expect(find(defaults, 'ConfigMap', 'order-service-config').data.AUTH_JWKS_FILE).toBe(
      '/etc/platform/jwks/jwks.json',
    );
  });

  it('has the worker probed on its metrics endpoint, scraped through annotations', () => {
    const worker = find(defaults, 'Deployment', 'fulfillment-worker');
    expect(worker.spec.template.spec.containers[0].readinessProbe.httpGet).toEqual({
      path: '/metrics',
      port: 'metrics',
    });
    expect(worker.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(defaults.some((object) => object.kind === 'ServiceMonitor')).toBe(false);
  });
});

describe("each app's variables", () => {
  // Set by the chart for Node itself, not read by the app's configuration.
  const runtimeVariables = new Set(['NODE_OPTIONS', ...otelVariables]);
  // Files that exist in the pod (mounted or written at start), not on this machine.
  const podFiles = /^\/(etc\/platform|data)\//;

  /** What the app's schema says of a container's variables: plain values and names from Secrets. */
  function problemsOf({ schema, file }, plain, fromSecrets) {
    const problems = [];
    for (const [variable, value] of Object.entries(plain)) {
      if (runtimeVariables.has(variable)) continue;
      const type = schema.shape[variable];
      if (!type) problems.push(`${variable} is not a variable of ${file}`);
      else if (!podFiles.test(value) && !type.safeParse(value).success)
        problems.push(`${variable}=${value} is refused`);
    }
    for (const variable of fromSecrets) {
      if (!schema.shape[variable]) problems.push(`${variable} (from a Secret) is not a variable of ${file}`);
    }
    for (const [variable, type] of Object.entries(schema.shape)) {
      const set = variable in plain || fromSecrets.includes(variable);
      if (!set && !type.safeParse(undefined).success) problems.push(`${variable} is required but not set`);
    }
    return problems;
  }

  it.each(Object.keys(chartApps))(
    "%s: are its configuration schema's, valid, the required ones set",
    async (app) => {
      const loaded = await appConfigLoader(root, 'src')(app);
      const plain = find(defaults, 'ConfigMap', `${app}-config`).data;
      const { env } = find(defaults, 'Deployment', app).spec.template.spec.containers[0];
      expect(
        problemsOf(
          loaded,
          plain,
          env.map((variable) => variable.name),
        ),
      ).toEqual([]);
    },
  );

  it.each(migratedApps)('%s: its migration Job has what migrate.js loads', async (app) => {
    const loaded = await appConfigLoader(root, 'src')(app);
    const { env } = find(defaults, 'Job', `${app}-migrate`).spec.template.spec.containers[0];
    const plain = Object.fromEntries(env.filter((v) => 'value' in v).map((v) => [v.name, v.value]));
    const fromSecrets = env.filter((v) => v.valueFrom).map((v) => v.name);
    expect(fromSecrets).toContain('DATABASE_URL');
    expect(problemsOf(loaded, plain, fromSecrets)).toEqual([]);
  });
});

describe('a service added by values alone', () => {
  it('gets every piece, and the service it calls lets it in', async () => {
    const { objects } = await render([
      '--set-json',
      `apps.inventory-service=${JSON.stringify(addedService)}`,
    ]);
    expectGrpcService(objects, 'inventory-service', {
      port: 50053,
      service: 'platform.inventory.v1.InventoryService',
      callers: [],
      callees: [{ name: 'user-service', port: 50051 }],
      database: true,
    });
    const userPolicy = find(objects, 'NetworkPolicy', 'user-service');
    const callers = userPolicy.spec.ingress.flatMap((rule) =>
      (rule.from ?? []).map((peer) => peer.podSelector?.matchLabels?.['app.kubernetes.io/name']),
    );
    expect(callers).toContain('inventory-service');
    const config = find(objects, 'ConfigMap', 'inventory-service-config').data;
    expect(config).toMatchObject({ INVENTORY_GRPC_PORT: '50053', INVENTORY_METRICS_PORT: '9467' });
  });
});

describe("the README's Secrets", () => {
  /** The Secrets the README makes for the chart's apps: its commands, the generated service's per app it has none for. */
  function documented() {
    const { explicit, generic } = readmeSecrets();
    const secrets = new Map(explicit);
    for (const [app, entry] of Object.entries(chartApps)) {
      if (secrets.has(app)) continue;
      for (const [name, keys] of generic) {
        const named = name.replace('$APP', app);
        secrets.set(named, new Set([...keys].map((key) => key.replace('${PREFIX}', entry.variablePrefix))));
      }
    }
    return secrets;
  }

  it('are exactly those the default profile references, by name and key, for every app', () => {
    const { generic } = readmeSecrets();
    expect(generic.size).toBeGreaterThan(0);
    expect(sorted(documented())).toEqual(sorted(referencedSecrets(defaults)));
  });

  it('cover the operators profile but its databases, which CloudNativePG writes for each Cluster', () => {
    const referenced = referencedSecrets(operators);
    const written = new Set(
      operators.filter((object) => object.kind === 'Cluster').map((object) => `${object.metadata.name}-app`),
    );
    const secrets = documented();
    for (const [name, keys] of referenced) {
      if (written.has(name)) expect([...keys]).toEqual(['uri']);
      else
        expect({ [name]: [...keys].filter((key) => !secrets.get(name)?.has(key)) }).toEqual({ [name]: [] });
    }
    expect(written.size).toBe(appsWithDatabase.length);
  });
});

describe('the operators profile', () => {
  it("declares the platform's topics and each consumer group's retry and dead-letter topic", () => {
    const { topics, groups, expected } = expectedKafkaTopics();
    // The code has topics and groups to find (a broken scan would expect, and check, nothing).
    expect(topics.length).toBeGreaterThan(0);
    expect(groups.length).toBeGreaterThan(0);
    const declared = operators
      .filter((object) => object.kind === 'KafkaTopic')
      .map((object) => ({
        name: object.spec.topicName,
        partitions: object.spec.partitions,
        retentionMs: object.spec.config['retention.ms'],
      }));
    const byName = (a, b) => a.name.localeCompare(b.name);
    expect(declared.sort(byName)).toEqual(expected.sort(byName));
    expect(find(operators, 'ConfigMap', 'user-service-config').data.KAFKA_CREATE_TOPICS).toBe('false');
  });

  it("names a topic with '_' validly as a KafkaTopic, keeping the Kafka name in spec.topicName", async () => {
    const { objects } = await render(['--values', operatorsValues, ...generatedTopicArgs]);
    const topics = objects.filter((object) => object.kind === 'KafkaTopic');
    expect(topics.map((object) => [object.metadata.name, object.spec.topicName])).toEqual([
      ['loyalty-points.events.v1', 'loyalty_points.events.v1'],
      [
        'loyalty-points.events.v1.order-service.loyalty-points-events.retry',
        'loyalty_points.events.v1.order-service.loyalty-points-events.retry',
      ],
      [
        'loyalty-points.events.v1.order-service.loyalty-points-events.dlt',
        'loyalty_points.events.v1.order-service.loyalty-points-events.dlt',
      ],
    ]);
    for (const object of topics) expect(strimziSchemaErrors(object)).toEqual([]);
  });

  it.each([
    [
      'two topics that would share a KafkaTopic name',
      [
        { name: 'loyalty_points.events.v1', partitions: 3, retentionMs: 1 },
        { name: 'loyalty-points.events.v1', partitions: 3, retentionMs: 1 },
      ],
      [],
      /the topics loyalty_points\.events\.v1 and loyalty-points\.events\.v1 would both be the KafkaTopic loyalty-points\.events\.v1/,
    ],
    [
      'a topic listed twice',
      [
        { name: 'a.events.v1', partitions: 3, retentionMs: 1 },
        { name: 'a.events.v1', partitions: 6, retentionMs: 1 },
      ],
      [],
      /operators\.strimzi\.topics: a\.events\.v1 is listed twice/,
    ],
    [
      'a consumer group listed twice',
      [{ name: 'a.events.v1', partitions: 3, retentionMs: 1 }],
      [
        { topic: 'a.events.v1', group: 'g' },
        { topic: 'a.events.v1', group: 'g' },
      ],
      /the topic a\.events\.v1\.g\.retry is declared twice/,
    ],
    [
      'a group of a topic not listed',
      [{ name: 'a.events.v1', partitions: 3, retentionMs: 1 }],
      [{ topic: 'b.events.v1', group: 'g' }],
      /g reads b\.events\.v1, which operators\.strimzi\.topics does not list/,
    ],
    [
      'a topic that maps to no valid name',
      [{ name: 'a..events.v1', partitions: 3, retentionMs: 1 }],
      [],
      /the topic "a\.\.events\.v1" gives no valid KafkaTopic name/,
    ],
  ])('fails the render on %s, saying why', async (_case, topics, consumerGroups, why) => {
    const rendered = render([
      '--values',
      operatorsValues,
      '--set-json',
      `operators.strimzi.topics=${JSON.stringify(topics)}`,
      '--set-json',
      `operators.strimzi.consumerGroups=${JSON.stringify(consumerGroups)}`,
    ]);
    await expect(rendered).rejects.toThrow(why);
  });

  it('deploys KRaft Kafka and a PostgreSQL cluster per service, the apps pointed at them', () => {
    const kafka = find(operators, 'Kafka', 'platform-kafka');
    expect(kafka.metadata.annotations).toMatchObject({
      'strimzi.io/kraft': 'enabled',
      'strimzi.io/node-pools': 'enabled',
    });
    expect(find(operators, 'KafkaNodePool', 'platform-kafka-dual-role').spec.roles).toEqual([
      'controller',
      'broker',
    ]);
    for (const name of appsWithDatabase) {
      expect(find(operators, 'Cluster', `${name}-db`).spec.bootstrap.initdb.database).toBe(
        name.replaceAll('-', '_'),
      );
      const env = find(operators, 'Deployment', name).spec.template.spec.containers[0].env;
      expect(env).toContainEqual({
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: `${name}-db-app`, key: 'uri' } },
      });
    }
    expect(
      operators
        .filter((object) => object.kind === 'ServiceMonitor')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(Object.keys(chartApps).sort());
  });

  it('has Strimzi resources that pass the strict schema check, which refuses a misspelt field', () => {
    const strimzi = operators.filter((object) => object.apiVersion.startsWith('kafka.strimzi.io/'));
    expect(strimzi.length).toBeGreaterThan(3);
    for (const object of strimzi) expect(strimziSchemaErrors(object)).toEqual([]);
    const kafka = structuredClone(find(operators, 'Kafka', 'platform-kafka'));
    kafka.spec.kafka.listener = kafka.spec.kafka.listeners;
    expect(strimziSchemaErrors(kafka).join('\n')).toMatch(/listener/);
  });
});
