// The strict schema check of the Strimzi resources the operators profile renders (Kafka,
// KafkaNodePool, KafkaTopic at kafka.strimzi.io/v1beta2). Strimzi's CRDs are not obtainable from
// the registries this project builds from (no Go module; its Maven artifacts carry classes, no
// CRD YAML), so the fields the chart may use are written out here from Strimzi's API reference,
// every object closed (no unknown key), the way the CRD's structural schema would refuse them.
import Ajv from 'ajv';

const closed = (properties, required = []) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});
const string = { type: 'string', minLength: 1 };
const integer = (minimum = 0) => ({ type: 'integer', minimum });
const quantity = { type: ['string', 'number'], pattern: '^[0-9.]+(m|k|Ki|M|Mi|G|Gi|T|Ti)?$' };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
// Kafka and topic configuration: broker and topic settings by name, scalar values.
const settings = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } };
const resources = closed({
  requests: closed({ cpu: quantity, memory: quantity }),
  limits: closed({ cpu: quantity, memory: quantity }),
});
const metadata = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
    labels: stringMap,
    annotations: stringMap,
  },
  required: ['name'],
};
const volume = closed(
  {
    id: integer(),
    type: { enum: ['ephemeral', 'persistent-claim'] },
    size: quantity,
    sizeLimit: quantity,
    class: string,
    deleteClaim: { type: 'boolean' },
    kraftMetadata: { enum: ['shared'] },
  },
  ['type'],
);
const storage = closed(
  {
    type: { enum: ['jbod', 'ephemeral', 'persistent-claim'] },
    volumes: { type: 'array', minItems: 1, items: volume },
    size: quantity,
    class: string,
    deleteClaim: { type: 'boolean' },
  },
  ['type'],
);
const listener = closed(
  {
    name: { type: 'string', pattern: '^[a-z0-9]{1,11}$' },
    port: integer(9092),
    type: { enum: ['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'] },
    tls: { type: 'boolean' },
    authentication: { type: 'object' },
    configuration: { type: 'object' },
    networkPolicyPeers: { type: 'array', items: { type: 'object' } },
  },
  ['name', 'port', 'type', 'tls'],
);
const operator = closed({
  watchedNamespace: string,
  reconciliationIntervalMs: integer(),
  resources,
  logging: { type: 'object' },
  jvmOptions: { type: 'object' },
});
const resource = (kind, spec) =>
  closed({ apiVersion: { const: 'kafka.strimzi.io/v1beta2' }, kind: { const: kind }, metadata, spec }, [
    'apiVersion',
    'kind',
    'metadata',
    'spec',
  ]);

const schemas = {
  Kafka: resource(
    'Kafka',
    closed(
      {
        kafka: closed(
          {
            version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
            metadataVersion: string,
            listeners: { type: 'array', minItems: 1, items: listener },
            config: settings,
            authorization: { type: 'object' },
            rack: closed({ topologyKey: string }, ['topologyKey']),
            resources,
            jvmOptions: { type: 'object' },
            metricsConfig: { type: 'object' },
            logging: { type: 'object' },
            template: { type: 'object' },
          },
          ['listeners'],
        ),
        entityOperator: closed({
          topicOperator: operator,
          userOperator: operator,
          template: { type: 'object' },
        }),
        cruiseControl: { type: 'object' },
        kafkaExporter: { type: 'object' },
        clusterCa: { type: 'object' },
        clientsCa: { type: 'object' },
        maintenanceTimeWindows: { type: 'array', items: { type: 'string' } },
      },
      ['kafka'],
    ),
  ),
  KafkaNodePool: resource(
    'KafkaNodePool',
    closed(
      {
        replicas: integer(),
        roles: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['controller', 'broker'] } },
        storage,
        resources,
        jvmOptions: { type: 'object' },
        template: { type: 'object' },
      },
      ['replicas', 'roles', 'storage'],
    ),
  ),
  KafkaTopic: resource(
    'KafkaTopic',
    closed({
      topicName: string,
      partitions: integer(1),
      replicas: { type: 'integer', minimum: 1, maximum: 32767 },
      config: settings,
    }),
  ),
};

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validators = Object.fromEntries(
  Object.entries(schemas).map(([kind, schema]) => [kind, ajv.compile(schema)]),
);

/** What the check finds wrong with a Strimzi resource: one line per error, [] when valid. */
export function strimziSchemaErrors(object) {
  const validate = validators[object.kind];
  if (!validate) return [`${object.kind}: not a kind the chart renders (Kafka, KafkaNodePool, KafkaTopic)`];
  if (validate(object)) return [];
  return validate.errors.map(
    (error) =>
      `${object.kind}/${object.metadata?.name} ${error.instancePath || '/'}: ${error.message}` +
      (error.params?.additionalProperty ? ` (${error.params.additionalProperty})` : ''),
  );
}

/**
 * A stand-in for Strimzi's KafkaTopic CRD (kafkatopics.kafka.strimzi.io, v1beta2), with the spec
 * fields of its API reference that the check above allows, so the real API server can take
 * KafkaTopics: it validates their names (RFC 1123 subdomains, as for every custom resource) and
 * the spec's types. Not Strimzi's own CRD, which is not obtainable here (above).
 */
export const kafkaTopicStandInCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'kafkatopics.kafka.strimzi.io' },
  spec: {
    group: 'kafka.strimzi.io',
    scope: 'Namespaced',
    names: { kind: 'KafkaTopic', plural: 'kafkatopics', singular: 'kafkatopic', listKind: 'KafkaTopicList' },
    versions: [
      {
        name: 'v1beta2',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  topicName: { type: 'string', minLength: 1 },
                  partitions: { type: 'integer', minimum: 1 },
                  replicas: { type: 'integer', minimum: 1, maximum: 32767 },
                  config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
              status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        },
      },
    ],
  },
};
