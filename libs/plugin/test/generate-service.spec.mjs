// The service generator for real, on a scratch copy of the workspace: a two-word service is
// generated with a consumer of user.events.v1, its projects pass lint, typecheck, build and their
// own tests (PostgreSQL too when TEST_DATABASE_URL is set, as `npm test` sets it), the contracts
// pass buf lint, compose passes its check, and the built service starts on the test broker
// (TEST_KAFKA_BROKERS), answers calls, publishes its event and handles a real UserCreated into its
// inbox. A second run with the same name, an invalid name and --dry-run write nothing.
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PGlite } from '@electric-sql/pglite';
import { createKafkaPublisher, eventRecord } from '@platform/events';
import { googleProtosDir, UserCreated, userCreated } from '@platform/proto';
import {
  createTestIssuer,
  freePort,
  readTopic,
  startServiceProcess,
  testKafkaBrokers,
} from '@platform/testing';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { scratchWorkspace } from './__fixtures__/scratch-workspace.mjs';

const name = 'loyalty-points';
const app = `${name}-service`;

/** @type {string} */
let root;

/**
 * Runs a command in the scratch workspace with the environment of a shell there: none of the
 * outer Nx task's variables, which would make the inner Nx think it runs inside that task.
 *
 * @param {string} command
 * @param {string[]} args
 */
function run(command, args) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NX_')));
  const result = spawnSync(command, args, {
    cwd: root,
    env: { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

const nx = (/** @type {string[]} */ ...args) => run(join(root, 'node_modules', '.bin', 'nx'), args);

/**
 * Runs Nx tasks with each line prefixed by its project (`--output-style=stream`); `failure` is what
 * the failed tasks printed (as the dev stack's build shows it), not the end of a long run, which
 * holds only the tasks that finished last.
 *
 * @param {string[]} args
 */
async function nxTasks(...args) {
  const { failedOutput, nxProgress } = await import(join(root, 'tools', 'dev', 'build.mjs'));
  const result = nx(...args, '--output-style=stream');
  const progress = nxProgress();
  for (const line of result.output.split('\n')) progress.line(line);
  return { ...result, failure: failedOutput(result.output, progress.summary().failed, 80).join('\n') };
}

/** Every file of the workspace copy (not node_modules or Nx's cache) and its size and mtime. */
function files() {
  /** @type {Map<string, string>} */
  const found = new Map();
  const walk = (/** @type {string} */ dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', '.nx', 'dist', '.data'].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.set(relative(root, path), `${statSync(path).size}:${statSync(path).mtimeMs}`);
    }
  };
  walk(root);
  return found;
}

beforeAll(() => {
  root = scratchWorkspace();
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe(`nx g @platform/plugin:service ${name}, on a copy of the workspace`, () => {
  it('writes nothing with --dry-run, and lists what it would write', () => {
    const before = files();
    const { status, output } = nx('g', '@platform/plugin:service', name, '--dry-run');
    expect(status, output).toBe(0);
    expect(output).toContain(`CREATE apps/${app}/src/${app}.ts`);
    expect(output).toContain('UPDATE docker-compose.yml');
    expect(files()).toEqual(before);
  });

  it('refuses an invalid name, saying why, and writes nothing', () => {
    const before = files();
    const { status, output } = nx('g', '@platform/plugin:service', 'Loyalty_Points');
    expect(status).not.toBe(0);
    expect(output).toMatch(/upper-case.*Nothing was written/);
    expect(files()).toEqual(before);
  });

  it('generates the service, with a consumer of user.events.v1', () => {
    const { status, output } = nx(
      'g',
      '@platform/plugin:service',
      name,
      '--description',
      'Owns the points users earn.',
      '--consumes',
      'user.events.v1',
    );
    expect(status, output).toBe(0);
  });

  it('refuses a second run with the same name, and writes nothing', () => {
    const before = files();
    const { status, output } = nx('g', '@platform/plugin:service', name);
    expect(status).not.toBe(0);
    expect(output).toContain(`"${name}" is taken: the project ${app} exists. Nothing was written.`);
    expect(files()).toEqual(before);
  });

  it('gives contracts that pass buf lint and buf format', () => {
    const lint = run(join(root, 'node_modules', '.bin', 'buf'), ['lint', 'protos']);
    expect(lint.status, lint.output).toBe(0);
    const format = run(join(root, 'node_modules', '.bin', 'buf'), [
      'format',
      'protos',
      '--diff',
      '--exit-code',
    ]);
    expect(format.status, format.output).toBe(0);
  });

  it('gives projects that pass lint, typecheck, build and their tests, and the proto suite still passes', async () => {
    const projects = `${name}-domain,${app},proto`;
    const { status, output, failure } = await nxTasks(
      'run-many',
      '-t',
      'lint,typecheck,build,test',
      '-p',
      projects,
    );
    expect(status, failure).toBe(0);
    expect(output).toMatch(/test\/loyalty-points-service\.spec\.ts .*\d+ tests/);
    // The generated consumer's own spec, on the test broker.
    expect(output).toMatch(/test\/user-events-consumer\.spec\.ts .*\d+ tests?/);
    // The items table's change trigger, on both databases (PostgreSQL when TEST_DATABASE_URL is set).
    expect(output).toMatch(/src\/loyalty-points-migrations\.spec\.ts .*\d+ tests/);
  });

  it("gives projects whose own tests pass the workspace's coverage gate", async () => {
    // The coverage of the run above (tools/coverage.config.mjs's thresholds, no override).
    const report = await import(join(root, 'tools', 'scripts', 'coverage-report.mjs'));
    const generated = report
      .gate(report.readCoverage(join(root, 'dist', 'coverage')))
      .filter((/** @type {{ project: string }} */ row) => [`${name}-domain`, app].includes(row.project));
    expect(generated.map((/** @type {{ project: string }} */ row) => row.project).sort()).toEqual([
      `${name}-domain`,
      app,
    ]);
    expect(generated.filter((/** @type {{ failures: string[] }} */ row) => row.failures.length)).toEqual([]);
  });

  it('passes the compose check', async () => {
    const { status, output, failure } = await nxTasks('run', 'tools:check-compose');
    expect(status, failure).toBe(0);
    expect(output).toContain('docker-compose.yml matches the Compose Specification');
  });

  it('starts as a process on the broker, answers Create, Get and List, publishes its event and consumes a UserCreated into its inbox', async () => {
    const brokers = testKafkaBrokers();
    const namespace = `lp${randomBytes(4).toString('hex')}.`;
    const issuer = await createTestIssuer();
    const jwks = join(root, '.data', 'test-auth', 'jwks.json');
    await issuer.writeJwks(jwks);
    const port = await freePort();
    const dataDir = join(root, '.data', app);
    const { process: service } = await startServiceProcess(
      app,
      join(root, 'apps', app, 'dist', 'main.js'),
      {
        LOYALTY_POINTS_GRPC_PORT: String(port),
        LOYALTY_POINTS_METRICS_PORT: '0',
        LOYALTY_POINTS_DATA_DIR: dataDir,
        AUTH_JWKS_FILE: jwks,
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_NAMESPACE: namespace,
      },
      150_000,
    );
    onTestFinished(async () => void (await service.kill()));

    const definition = loadSync('platform/loyalty_points/v1/loyalty_points_service.proto', {
      includeDirs: [join(root, 'protos'), googleProtosDir],
      keepCase: true,
      longs: String,
      defaults: true,
    });
    const { LoyaltyPointsService } = /** @type {any} */ (grpc.loadPackageDefinition(definition)).platform
      .loyalty_points.v1;
    const client = new LoyaltyPointsService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    onTestFinished(() => client.close());
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${await issuer.sign({ subject: crypto.randomUUID() })}`);
    const call = (/** @type {string} */ method, /** @type {object} */ request) =>
      new Promise((resolve, reject) =>
        client[method](request, metadata, (/** @type {Error | null} */ error, /** @type {any} */ response) =>
          error ? reject(error) : resolve(response),
        ),
      );
    const created = /** @type {any} */ (
      await call('CreateLoyaltyPointsItem', { request_id: 'ci-1', display_name: 'First' })
    );
    expect(created.item).toMatchObject({ display_name: 'First', version: '1' });
    const read = /** @type {any} */ (await call('GetLoyaltyPointsItem', { id: created.item.id }));
    expect(read.item.id).toBe(created.item.id);
    const listed = /** @type {any} */ (await call('ListLoyaltyPointsItems', { page_size: 10 }));
    expect(listed.items.map((/** @type {{ id: string }} */ item) => item.id)).toEqual([created.item.id]);

    // The outbox relay published the creation on the service's own topic.
    await expect
      .poll(async () => (await readTopic(brokers, `${namespace}loyalty_points.events.v1`)).length, {
        timeout: 60_000,
      })
      .toBe(1);

    // A UserCreated as the user service publishes it: the generated handler runs and the inbox keeps it.
    const userId = randomUUID();
    const record = eventRecord(userCreated, UserCreated.create({ user: { id: userId } }), {
      subject: userId,
      source: '/platform/user-service',
      namespace,
    });
    const eventId = record.headers['ce_id'];
    const publisher = createKafkaPublisher({ brokers, clientId: 'user-service' });
    onTestFinished(() => publisher.close());
    await publisher.publish([record]);
    const consumed = await service.logged(
      (entry) => entry.msg === `${userCreated.type} consumed` && entry['eventId'] === eventId,
      60_000,
    );
    expect(consumed).toMatchObject({ subject: userId, attempt: 1 });

    expect(await service.stop()).toEqual({ code: 0, signal: null });
    const db = new PGlite(join(dataDir, 'db'));
    onTestFinished(() => db.close());
    const inbox = await db.query('select consumer_group, event_type from event_inbox where event_id = $1', [
      eventId,
    ]);
    expect(inbox.rows).toEqual([
      { consumer_group: `${namespace}${app}.user-events`, event_type: userCreated.type },
    ]);
  });
});
