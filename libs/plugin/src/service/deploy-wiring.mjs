import { isScalar, isSeq, parseDocument } from 'yaml';
import { editSource } from './edit-source.mjs';

/**
 * @typedef {ReturnType<typeof import('../names/service-names.mjs').serviceNames>} ServiceNames
 * @typedef {{ grpcPort: number, metricsPort: number }} Ports
 */

const fromEnv = (/** @type {string} */ variable) => `\${${variable}:?set it in .env, see deploy/README.md}`;

/**
 * The service in docker-compose.yml, as the hand-written ones are: built from the shared
 * Dockerfile (`<<: *app`), its own database and role, the user service's key set read-only, its
 * ports on loopback, the gRPC health probe, and started after PostgreSQL, Kafka and the user
 * service are healthy. Inserted as text, before the top-level `volumes:`, to keep the file's
 * anchors and comments; the result is parsed to prove it is still YAML.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ServiceNames} names
 * @param {Ports} ports
 */
export function addComposeService(tree, names, { grpcPort, metricsPort }) {
  const { app, constant, database, protoPackage, serviceType } = names;
  const password = `${constant}_SERVICE_DB_PASSWORD`;
  const block = `  ${app}:
    <<: *app
    build:
      <<: *app-build
      args:
        APP: ${app}
    image: platform/${app}:local
    environment:
      ${constant}_GRPC_HOST: 0.0.0.0
      ${constant}_GRPC_PORT: ${grpcPort}
      ${constant}_METRICS_PORT: ${metricsPort}
      ${constant}_DATA_DIR: /data/${app}
      DATABASE_URL: postgres://${database}:${fromEnv(password)}@postgres:5432/${database}
      KAFKA_BROKERS: kafka:9092
      AUTH_JWKS_FILE: /data/auth/jwks.json
      OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318
      LOG_LEVEL: info
    volumes:
      - ${app}-data:/data/${app}
      - auth-keys:/data/auth:ro
    ports:
      - '127.0.0.1:${grpcPort}:${grpcPort}'
      - '127.0.0.1:${metricsPort}:${metricsPort}'
    healthcheck:
      <<: *app-healthcheck
      test: ['CMD', 'node', '/app/deploy/healthcheck.mjs', 'grpc', '127.0.0.1:${grpcPort}', '${protoPackage}.${serviceType}']
    depends_on:
      postgres:
        condition: service_healthy
      kafka:
        condition: service_healthy
      # Healthy once its public key set is written, which this service verifies tokens with.
      user-service:
        condition: service_healthy
      jaeger:
        condition: service_started

`;
  const file = 'docker-compose.yml';
  editSource(tree, file, /\nvolumes:\n/, (volumes) => `\n${block.trimEnd()}\n${volumes}`);
  editSource(tree, file, /(\nvolumes:\n(?: {2}[^\n]*\n)*)/, (list) => `${list}  ${app}-data:\n`);
  // The role's password, read by init-databases.sh at PostgreSQL's first start.
  editSource(
    tree,
    file,
    /^( +)(ORDER_SERVICE_DB_PASSWORD: [^\n]*\n)/m,
    (_, indent, line) => `${indent}${line}${indent}${password}: ${fromEnv(password)}\n`,
  );
  const document = parseDocument(tree.read(file, 'utf-8') ?? '');
  if (document.errors.length) throw new Error(`${file} would not be YAML: ${document.errors[0]?.message}`);
}

/**
 * The service's role and database at PostgreSQL's first start (deploy/postgres/init-databases.sh),
 * and its password among the secrets of deploy/env.example.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ServiceNames} names
 */
export function addDatabaseSecrets(tree, names) {
  const password = `${names.constant}_SERVICE_DB_PASSWORD`;
  editSource(
    tree,
    'deploy/postgres/init-databases.sh',
    /(\ncreate_database [a-z0-9_]+ "\$[A-Z0-9_]+"\n)(?![\s\S]*\ncreate_database )/,
    (last) => `${last}create_database ${names.database} "$${password}"\n`,
  );
  editSource(
    tree,
    'deploy/env.example',
    /^(ORDER_SERVICE_DB_PASSWORD=\n)/m,
    (line) => `${line}${password}=\n`,
  );
  editSource(
    tree,
    'deploy/env.example',
    /( USER_SERVICE_DB_PASSWORD ORDER_SERVICE_DB_PASSWORD)/,
    (list) => `${list} ${password}`,
  );
}

/**
 * The service's metrics endpoint as a Prometheus target of compose (deploy/prometheus), before
 * Prometheus's own job. Its samples carry the `service` label the runtime gives every metric,
 * which the Grafana dashboard selects on, so the dashboard needs no change.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {ServiceNames} names
 * @param {Ports} ports
 */
export function addPrometheusTarget(tree, names, { metricsPort }) {
  const file = 'deploy/prometheus/prometheus.yml';
  const document = parseDocument(tree.read(file, 'utf-8') ?? '');
  const jobs = document.get('scrape_configs');
  if (!jobs || typeof jobs !== 'object' || !('items' in jobs) || !Array.isArray(jobs.items)) {
    throw new Error(`${file} has no scrape_configs list; add the service's target by hand`);
  }
  const job = document.createNode({
    job_name: names.app,
    static_configs: [{ targets: [`${names.app}:${metricsPort}`] }],
  });
  // One line per target, as the file writes them: ['user-service:9464'].
  const targets = job.getIn(['static_configs', 0, 'targets']);
  if (isSeq(targets)) {
    targets.flow = true;
    for (const target of targets.items) if (isScalar(target)) target.type = 'QUOTE_SINGLE';
  }
  const own = jobs.items.findIndex((/** @type {any} */ item) => item?.get?.('job_name') === 'prometheus');
  jobs.items.splice(own < 0 ? jobs.items.length : own, 0, job);
  tree.write(file, document.toString({ flowCollectionPadding: false }));
}
