// startService on real parts: PGlite in memory, a Nest gRPC app on loopback, the metrics
// endpoint over HTTP. Without KAFKA_BROKERS the event layer stays off (its own suites cover it).
import 'reflect-metadata';
import { defineConfig, duration, loadConfig, type Config } from '@platform/config';
import { databaseVariables, migrate, type Database } from '@platform/db';
import { kafkaVariables } from '@platform/events';
import { createLogger } from '@platform/observability';
import { protoFiles, serviceNames } from '@platform/proto';
import { checkHealth, freePort } from '@platform/testing';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startService, type ServingDefinition, type WorkerDefinition } from './start-service.js';

/** A Nest application with no controllers: the runtime's own services (health, reflection) only. */
class EmptyModule {}

const testConfig = defineConfig({
  ...databaseVariables,
  ...kafkaVariables,
  HEALTH_CHECK_INTERVAL: duration().default(100),
  SHUTDOWN_DRAIN_TIMEOUT: duration().default(2_000),
});
type TestConfig = Config<typeof testConfig>;

/** A JSON logger whose lines the test reads. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    name: 'test',
    destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { lines, logger };
}

async function scratch(): Promise<{ dataDir: string; migrations: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'start-service-'));
  onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
  const migrations = join(dataDir, 'migrations');
  await mkdir(migrations);
  await writeFile(join(migrations, '0001_create_notes.sql'), 'create table notes (id text primary key);');
  return { dataDir, migrations };
}

type Own = { db: Database<Record<string, never>>; pageKey: Uint8Array };

function servingDefinition(
  dirs: { dataDir: string; migrations: string },
  port: number,
  onClose: (db: Database<Record<string, never>>) => Promise<void>,
): ServingDefinition<TestConfig, Record<string, never>, Own> {
  return {
    name: 'test-service',
    dataDir: () => dirs.dataDir,
    database: { schema: {}, migrate: (db) => migrate(db, { dir: dirs.migrations }) },
    async wire({ db, closers, key }) {
      const pageKey = await key('page-token.key');
      closers.add(() => onClose(db));
      return {
        own: { db, pageKey },
        grpc: {
          service: serviceNames.order,
          module: { module: EmptyModule },
          package: 'platform.order.v1',
          protoPath: protoFiles.orderService,
          host: '127.0.0.1',
          port,
          metricsPort: 0,
          chain: { errors: { domain: 'test.platform' } },
        },
        ready: { feature: 'notes' },
      };
    },
  };
}

describe('startService with a database and a gRPC server', () => {
  it('migrates, serves health and metrics, says it is ready, and stops in order', async () => {
    const dirs = await scratch();
    const { lines, logger } = capturedLogger();
    const seenOnClose: { serverAnswered: boolean; databaseOpen: boolean }[] = [];
    let address = '';
    const definition = servingDefinition(dirs, await freePort(), async (db) => {
      const serverAnswered = await checkHealth(address).then(
        () => true,
        () => false,
      );
      const databaseOpen = await db.health().then(
        () => true,
        () => false,
      );
      seenOnClose.push({ serverAnswered, databaseOpen });
    });
    const service = await startService(definition, loadConfig(testConfig, {}), {
      logger,
      database: { inMemory: true },
    });
    address = service.address;

    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'database migrated',
        driver: 'pglite',
        applied: [
          '0001_create_notes.sql',
          '0001_create_outbox.sql',
          '0002_create_inbox.sql',
          '0003_notify_outbox_inserts.sql',
        ],
      }),
    );
    expect(lines.at(-1)).toMatchObject({
      msg: 'test-service ready',
      address: service.address,
      metricsPort: service.metricsPort,
      database: 'pglite',
      feature: 'notes',
    });
    await expect(checkHealth(service.address, serviceNames.order)).resolves.toEqual({ status: 'SERVING' });
    const metrics = await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`);
    expect(await metrics.text()).toContain('service="test-service"');
    expect(service.pageKey).toHaveLength(32);
    expect(await readFile(join(dirs.dataDir, 'keys', 'page-token.key'))).toEqual(
      Buffer.from(service.pageKey),
    );

    const result = await service.stop();
    expect(result).toMatchObject({ forced: false });
    // The wiring's parts close after the server stopped, and before the database.
    expect(seenOnClose).toEqual([{ serverAnswered: false, databaseOpen: true }]);
    await expect(service.db.health()).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).rejects.toThrow();
  });

  it('keeps a generated key across starts', async () => {
    const dirs = await scratch();
    const start = async () =>
      startService(
        servingDefinition(dirs, await freePort(), async () => undefined),
        loadConfig(testConfig, {}),
        {
          logger: createLogger({ name: 'test', level: 'silent' }),
          database: { inMemory: true },
        },
      );
    const first = await start();
    await first.stop();
    const second = await start();
    await second.stop();
    expect(Buffer.from(second.pageKey)).toEqual(Buffer.from(first.pageKey));
  });

  it('closes the database when the wiring fails, and rethrows its error', async () => {
    const dirs = await scratch();
    let opened: Database<Record<string, never>> | undefined;
    const definition: ServingDefinition<TestConfig, Record<string, never>, Own> = {
      ...servingDefinition(dirs, await freePort(), async () => undefined),
      async wire({ db }) {
        opened = db;
        throw new Error('the signing key is unreadable');
      },
    };
    await expect(
      startService(definition, loadConfig(testConfig, {}), {
        logger: createLogger({ name: 'test', level: 'silent' }),
        database: { inMemory: true },
      }),
    ).rejects.toThrow('the signing key is unreadable');
    await expect(opened?.health()).rejects.toThrow();
  });
});

describe('startService for a worker', () => {
  it('serves metrics, says it is ready, and on stop closes what the wiring opened', async () => {
    const { lines, logger } = capturedLogger();
    const closed: string[] = [];
    const definition: WorkerDefinition<TestConfig, { group: string }> = {
      name: 'test-worker',
      async wire({ closers }) {
        closers.add(() => closed.push('client'));
        return { own: { group: 'g' }, metrics: { host: '127.0.0.1', port: 0 }, ready: { group: 'g' } };
      },
    };
    const worker = await startService(definition, loadConfig(testConfig, {}), { logger });
    expect(lines.at(-1)).toMatchObject({
      msg: 'test-worker ready',
      metricsPort: worker.metricsPort,
      group: 'g',
    });
    expect((await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).status).toBe(200);
    expect(worker.group).toBe('g');

    expect(await worker.stop()).toEqual({ forced: false });
    expect(closed).toEqual(['client']);
    await expect(fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).rejects.toThrow();
  });
});
