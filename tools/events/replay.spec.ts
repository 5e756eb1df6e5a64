// The dead-letter replay tool for real: a broker (TEST_KAFKA_BROKERS, started by `npm test`),
// dead-letter topics written the way the consumer runtime writes them, and the CLI run as a
// child process. The last case goes round the whole loop with the runtime's EventConsumer.
import {
  cloudEventHeaders,
  createKafkaPublisher,
  deadLetterHeaders,
  deadLetterTopicOf,
  defineEventType,
  ensureTopics,
  EventConsumer,
  on,
  originalHeaders,
  PermanentEventError,
  retryHeaders,
  type EventPublisher,
  type TopicSpec,
} from '@platform/events';
import { createLogger } from '@platform/observability';
import { OrderCreated, OrderStatus, type Order } from '@platform/proto';
import { readTopic, testKafkaBrokers, waitFor, type TopicRecord } from '@platform/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as tool from './dead-letters.mjs';
import { parseCommand } from './replay.mjs';

const script = join(import.meta.dirname, 'replay.mjs');
const brokers = testKafkaBrokers();
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs replay.mjs with `--brokers` of the test broker unless `env` is given; never rejects on exit code. */
function cli(args: string[], env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: brokers.join(',') }) {
  return new Promise<CliResult>((resolve) => {
    execFile(process.execPath, [script, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function publisher(): EventPublisher {
  const created = createKafkaPublisher({ brokers, clientId: 'replay-spec' });
  cleanups.push(() => created.close());
  return created;
}

interface Parked {
  key: string;
  value: Buffer;
  /** The headers it was first published with. */
  original: Record<string, string>;
  id: string;
}

/**
 * A source topic and its consumer group's dead-letter topic holding `count` records written like
 * the runtime writes them (original key, value and headers plus the dlt-* ones).
 */
async function deadLetterFixture(count = 4, reasons = ['permanent-error', 'retries-exhausted']) {
  const namespace = `r${randomUUID().slice(0, 8)}.`;
  const source = `${namespace}orders`;
  const group = `${namespace}effects`;
  const dlt = deadLetterTopicOf(source, group);
  await ensureTopics({ brokers, clientId: 'replay-spec' }, [
    { name: source, partitions: 2, retentionMs: 3_600_000 },
    { name: dlt, partitions: 1, retentionMs: 3_600_000 },
  ]);
  const parked: Parked[] = Array.from({ length: count }, (_, index) => {
    const id = randomUUID();
    const key = `order-${index}-${randomUUID().slice(0, 4)}`;
    return {
      id,
      key,
      value: Buffer.from([0xca, 0xfe, 0x00, index]),
      original: {
        traceparent: `00-${randomUUID().replace(/-/g, '')}-${'0'.repeat(15)}${index}-01`,
        ...cloudEventHeaders({
          id,
          type: 'platform.order.v1.OrderCreated',
          source: '/platform/test',
          subject: key,
          time: new Date('2025-01-01T00:00:00Z'),
        }),
      },
    };
  });
  await publisher().publish(
    parked.map((record, index) => ({
      topic: dlt,
      key: record.key,
      value: record.value,
      headers: {
        ...record.original,
        [deadLetterHeaders.originalTopic]: source,
        [deadLetterHeaders.originalPartition]: String(index % 2),
        [deadLetterHeaders.originalOffset]: String(10 + index),
        [deadLetterHeaders.group]: group,
        [deadLetterHeaders.attempts]: String(index + 1),
        [deadLetterHeaders.reason]: reasons[index % reasons.length] ?? 'permanent-error',
        [deadLetterHeaders.error]: `Error: handler failed for record ${index} ${'x'.repeat(200)}`,
        [deadLetterHeaders.time]: new Date(Date.UTC(2025, 0, 2, 3, 4, index)).toISOString(),
      },
    })),
  );
  return { namespace, source, group, dlt, parked };
}

function asParked(record: TopicRecord) {
  return { key: record.key?.toString(), value: record.value, headers: record.headers };
}

describe('dead-letter replay tool', () => {
  it('names headers and topics exactly as @platform/events does', () => {
    expect(tool.deadLetterHeaders).toEqual(deadLetterHeaders);
    expect(tool.retryHeaders).toEqual(retryHeaders);
    expect(tool.deadLetterTopicOf('ns.order.events.v1', 'ns.stats')).toBe(
      deadLetterTopicOf('ns.order.events.v1', 'ns.stats'),
    );
    const headers = {
      ce_id: 'a',
      traceparent: 't',
      ...Object.fromEntries(Object.values(deadLetterHeaders).map((name) => [name, 'x'])),
      ...Object.fromEntries(Object.values(retryHeaders).map((name) => [name, 'y'])),
    };
    expect(tool.originalHeaders(headers)).toEqual(originalHeaders(headers));
    expect(tool.originalHeaders(headers)).toEqual({ ce_id: 'a', traceparent: 't' });
  });

  it('parses the command line and refuses bad ones', () => {
    const env = { KAFKA_BROKERS: 'k1:9092,k2:9092' };
    expect(
      parseCommand(['list', '--group', 'stats', '--source', 'order.events.v1', '--namespace', 'dev.'], env),
    ).toMatchObject({
      command: 'list',
      brokers: ['k1:9092', 'k2:9092'],
      topic: 'dev.order.events.v1.dev.stats.dlt',
      timeoutMs: 30_000,
    });
    expect(
      parseCommand(
        ['replay', '--brokers', 'b:1', '--topic', 't.dlt', '--offsets', '1,0:4,6-8', '--timeout', '5'],
        {},
      ),
    ).toMatchObject({
      brokers: ['b:1'],
      timeoutMs: 5_000,
      selector: {
        offsets: [
          { partition: undefined, offset: 1n },
          { partition: 0, offset: 4n },
          { partition: undefined, offset: 6n },
          { partition: undefined, offset: 7n },
          { partition: undefined, offset: 8n },
        ],
      },
    });
    const refused = (argv: string[], message: RegExp, environment: Record<string, string> = env) => {
      expect(() => parseCommand(argv, environment)).toThrow(message);
    };
    refused(['list', '--topic', 't'], /no Kafka brokers/, {});
    refused(['list', '--brokers', 'nope', '--topic', 't'], /bad broker address "nope"/);
    refused(['replay', '--topic', 't'], /choose the records to replay/);
    refused(['replay', '--topic', 't', '--all', '--reason', 'undecodable'], /give one of/);
    refused(['replay', '--topic', 't', '--offsets', '3,x'], /bad --offsets entry "x"/);
    refused(['replay', '--topic', 't', '--reason', 'flaky'], /unknown --reason "flaky"/);
    refused(['list', '--group', 'g'], /name the dead-letter topic/);
    refused(['list', '--topic', 't', '--group', 'g'], /either --topic/);
    refused(['list', '--topic', 't', '--timeout', '0'], /bad --timeout/);
    refused(['purge', '--topic', 't'], /unknown command "purge"/);
    refused(['list', '--topic', 't', '--bogus'], /Unknown option '--bogus'/);
  });

  it('names records of a topic of several partitions as partition:offset', () => {
    const record = (partition: number, offset: string, id: string) => ({
      partition,
      offset,
      key: null,
      value: null,
      rawHeaders: {},
      headers: { ce_id: id, [deadLetterHeaders.originalTopic]: 'orders' },
      timestamp: '0',
    });
    const contents = {
      topic: 'orders.g.dlt',
      partitions: [
        { partition: 0, low: 0n, high: 2n },
        { partition: 1, low: 5n, high: 6n },
      ],
      records: [record(0, '0', 'a'), record(0, '1', 'b'), record(1, '5', 'a')],
    };
    const positions = (selected: { partition: number; offset: string }[]) =>
      selected.map((r) => tool.positionOf(r, 2));
    expect(positions(tool.select(contents, { offsets: tool.parseOffsets('1:5,0:0') }).chosen)).toEqual([
      '0:0',
      '1:5',
    ]);
    expect(() => tool.select(contents, { offsets: tool.parseOffsets('5') })).toThrow(
      /orders\.g\.dlt has 2 partitions: name records as <partition>:<offset> \(e\.g\. 0:5\)/,
    );
    expect(() => tool.select(contents, { offsets: tool.parseOffsets('1:4') })).toThrow(
      /offset 1:4 is not in orders\.g\.dlt \(partition 1 holds offsets 5-5\)/,
    );
    const latest = tool.select(contents, { all: true }, { latestPerId: true });
    expect(positions(latest.chosen)).toEqual(['0:1', '1:5']);
    expect(
      latest.superseded.map(({ record, by }) => [tool.positionOf(record, 2), tool.positionOf(by, 2)]),
    ).toEqual([['0:0', '1:5']]);
  });

  it('lists the dead-lettered records as a table and as JSON lines', async () => {
    const { dlt, source, namespace, group, parked } = await deadLetterFixture();

    const table = await cli(['list', '--group', 'effects', '--source', 'orders', '--namespace', namespace]);
    expect(table, table.stderr).toMatchObject({ code: 0 });
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^OFFSET\s+TIME\s+REASON\s+ATTEMPTS\s+ORIGIN \(topic\/partition\/offset\)\s+CE_TYPE/,
    );
    expect(lines).toHaveLength(1 + parked.length + 1);
    expect(lines.at(-1)).toBe(`${parked.length} records in ${dlt}`);
    expect(lines[2]).toMatch(
      new RegExp(
        `^1\\s+2025-01-02T03:04:01Z\\s+retries-exhausted\\s+2\\s+${source}/1/11\\s+platform\\.order\\.v1\\.OrderCreated\\s+${parked[1]?.id}\\s+${parked[1]?.key}\\s+Error: handler failed for record 1 x+…$`,
      ),
    );

    const json = await cli(['list', '--topic', dlt, '--json']);
    expect(json, json.stderr).toMatchObject({ code: 0 });
    const views = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(views).toHaveLength(parked.length);
    expect(views[3]).toEqual({
      partition: 0,
      offset: '3',
      time: '2025-01-02T03:04:03.000Z',
      reason: 'retries-exhausted',
      attempts: 4,
      group,
      originalTopic: source,
      originalPartition: 1,
      originalOffset: '13',
      ceType: 'platform.order.v1.OrderCreated',
      ceId: parked[3]?.id,
      key: parked[3]?.key,
      keyEncoding: 'utf8',
      error: expect.stringMatching(/^Error: handler failed for record 3 x{200}$/),
      valueBytes: parked[3]?.value.length,
    });

    const filtered = await cli(['list', '--topic', dlt, '--reason', 'permanent-error', '--json']);
    expect(
      filtered.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).offset),
    ).toEqual(['0', '2']);
  });

  it('replays exactly the chosen records to their original topic with the original key, value and headers', async () => {
    const { dlt, source, parked } = await deadLetterFixture();

    const replayed = await cli(['replay', '--topic', dlt, '--offsets', '1,3']);
    expect(replayed, replayed.stderr).toMatchObject({ code: 0 });
    expect(replayed.stdout).toMatch(
      new RegExp(`^replayed 1 -> ${source}/\\d+/\\d+ ce_id=${parked[1]?.id} `, 'm'),
    );
    expect(replayed.stdout).toMatch(
      new RegExp(`^replayed 3 -> ${source}/\\d+/\\d+ ce_id=${parked[3]?.id} `, 'm'),
    );
    expect(replayed.stdout.trim().split('\n').at(-1)).toBe(`replayed 2 of 2 records from ${dlt}`);

    const landed = await readTopic(brokers, source);
    expect(landed.map(asParked).sort((a, b) => (a.key ?? '').localeCompare(b.key ?? ''))).toEqual(
      [parked[1], parked[3]].map((p) => ({ key: p?.key, value: p?.value, headers: p?.original })),
    );
    for (const record of landed) {
      expect(Object.keys(record.headers).filter((name) => /^(dlt|retry)-/.test(name))).toEqual([]);
    }
    // The dead-letter topic is append-only: nothing removed, nothing added.
    expect(await readTopic(brokers, dlt)).toHaveLength(parked.length);
  });

  it('publishes nothing on --dry-run', async () => {
    const { dlt, source, parked } = await deadLetterFixture();
    const dry = await cli(['replay', '--topic', dlt, '--all', '--dry-run']);
    expect(dry, dry.stderr).toMatchObject({ code: 0 });
    for (const [index, record] of parked.entries()) {
      expect(dry.stdout).toContain(`would replay ${index} -> ${source} ce_id=${record.id} `);
    }
    expect(dry.stdout).toContain(`dry run: would replay 4 of 4 records from ${dlt}; nothing published`);
    expect(await readTopic(brokers, source)).toEqual([]);
  });

  it('replays an event dead-lettered twice once, from its latest record, with --ids', async () => {
    const { dlt, source, parked } = await deadLetterFixture(3);
    const again = parked[0];
    if (!again) throw new Error('no fixture record');
    await publisher().publish([
      {
        topic: dlt,
        key: again.key,
        value: again.value,
        headers: {
          ...again.original,
          [deadLetterHeaders.originalTopic]: source,
          [deadLetterHeaders.reason]: 'permanent-error',
        },
      },
    ]);
    const result = await cli(['replay', '--topic', dlt, '--ids', again.id, '--json']);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    const entries = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries.map((entry) => [entry.action, entry.offset])).toEqual([
      ['superseded', '0'],
      ['replayed', '3'],
    ]);
    expect(entries[1].to).toMatchObject({
      topic: source,
      partition: expect.any(Number),
      offset: expect.any(String),
    });
    expect(result.stderr.trim()).toBe(`replayed 1 of 1 records from ${dlt}`);
    expect((await readTopic(brokers, source)).map(asParked)).toEqual([
      { key: again.key, value: again.value, headers: again.original },
    ]);
  });

  it('refuses bad input with a message naming the problem and publishes nothing', async () => {
    const { dlt, source } = await deadLetterFixture(2);
    // A record a person put there by hand: no dlt-original-topic.
    await publisher().publish([
      { topic: dlt, key: 'k', value: Buffer.from('v'), headers: { ce_id: 'manual' } },
    ]);
    const { KAFKA_BROKERS: _unset, ...withoutBrokers } = process.env;

    const cases: [string[], NodeJS.ProcessEnv | undefined, number, RegExp][] = [
      [['list', '--topic', dlt], withoutBrokers, 2, /^replay\.mjs: no Kafka brokers: pass --brokers/],
      [
        ['list', '--topic', `${dlt}.missing`],
        undefined,
        1,
        new RegExp(`topic ${dlt}\\.missing not found; dead-letter topics there: ${dlt}[,\\n]`),
      ],
      [
        ['replay', '--topic', dlt, '--offsets', '1,99'],
        undefined,
        1,
        new RegExp(`offset 99 is not in ${dlt} \\(partition 0 holds offsets 0-2\\)`),
      ],
      [
        ['replay', '--topic', dlt, '--offsets', '0:1,1:0'],
        undefined,
        1,
        /offset 1:0 is not in .* \(it has no partition 1\)/,
      ],
      [
        ['replay', '--topic', dlt, '--ids', 'no-such-id'],
        undefined,
        1,
        /no record in .* has ce_id no-such-id/,
      ],
      [['replay', '--topic', dlt, '--all'], undefined, 1, /record 2 has no dlt-original-topic header/],
      [['replay', '--topic', dlt, '--offsets', '-1'], undefined, 2, /Unknown option|bad --offsets|argument/],
      [
        ['list', '--brokers', '127.0.0.1:1', '--topic', dlt],
        undefined,
        1,
        /cannot connect to Kafka: .*ECONNREFUSED 127\.0\.0\.1:1/,
      ],
    ];
    // A "broker" that accepts connections and never answers: the run ends at --timeout.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket.on('error', () => undefined));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(resolve);
        }),
    );
    const silentPort = (silent.address() as AddressInfo).port;
    cases.push([
      ['list', '--brokers', `127.0.0.1:${silentPort}`, '--topic', dlt, '--timeout', '1'],
      undefined,
      1,
      /^replay\.mjs: timed out after 1 s \(raise --timeout\)$/m,
    ]);
    for (const [args, env, code, message] of cases) {
      const result = await cli(args, env);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code, stdout: '' });
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect(await readTopic(brokers, source)).toEqual([]);
  });

  it('end to end: the runtime dead-letters an event, the tool replays it, the runtime handles it', async () => {
    const namespace = `e${randomUUID().slice(0, 8)}.`;
    const topic: TopicSpec = {
      name: 'orders',
      aggregateType: 'order',
      partitions: 1,
      retentionMs: 3_600_000,
    };
    await ensureTopics({ brokers, clientId: 'replay-spec' }, [{ ...topic, name: namespace + topic.name }]);
    const created = defineEventType('platform.order.v1.OrderCreated', topic, OrderCreated);
    let fixed = false;
    const handled: { id: string; attempt: number; orderId: string }[] = [];
    const consumer = new EventConsumer({
      group: 'effects',
      namespace,
      kafka: { brokers, clientId: 'replay-spec-consumer' },
      handlers: [
        on(created, async (event, context) => {
          if (!fixed) throw new PermanentEventError('the catalogue does not know this SKU yet');
          handled.push({
            id: context.envelope.id,
            attempt: context.attempt,
            orderId: event.order?.id ?? '',
          });
        }),
      ],
      logger: createLogger({ name: 'replay-spec', level: 'silent' }),
      backoffMs: 10,
      retryDelaysMs: [100],
    });
    cleanups.push(() => consumer.stop());
    await consumer.start();

    const id = randomUUID();
    const orderId = randomUUID();
    await publisher().publish([
      {
        topic: namespace + topic.name,
        key: orderId,
        value: Buffer.from(
          OrderCreated.encode(
            OrderCreated.create({
              order: {
                id: orderId,
                userId: randomUUID(),
                requestId: randomUUID(),
                items: [{ sku: 'SKU-1', quantity: 1, unitPriceMinor: '100' }],
                currencyCode: 'EUR',
                totalMinor: '100',
                status: OrderStatus.ORDER_STATUS_PENDING,
                version: '1',
                cancelReason: '',
              } as unknown as Order,
            }),
          ).finish(),
        ),
        headers: cloudEventHeaders({
          id,
          type: created.type,
          source: '/platform/test',
          subject: orderId,
          time: new Date(),
        }),
      },
    ]);
    const dlt = deadLetterTopicOf(namespace + topic.name, `${namespace}effects`);
    await waitFor('the dead-lettered event', async () =>
      (await readTopic(brokers, dlt)).length === 1 ? true : undefined,
    );
    expect(handled).toEqual([]);

    const where = ['--group', 'effects', '--source', topic.name, '--namespace', namespace];
    const listed = await cli(['list', ...where, '--json']);
    expect(listed, listed.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(listed.stdout)).toMatchObject({
      offset: '0',
      reason: 'permanent-error',
      attempts: 1,
      ceId: id,
      key: orderId,
      originalTopic: namespace + topic.name,
      error: 'PermanentEventError: the catalogue does not know this SKU yet',
    });

    fixed = true;
    const replayed = await cli(['replay', ...where, '--ids', id]);
    expect(replayed, replayed.stderr).toMatchObject({ code: 0 });
    expect(replayed.stdout).toContain('replayed 1 of 1 records');
    await waitFor('the replayed event handled', async () => (handled.length ? true : undefined));
    expect(handled).toEqual([{ id, attempt: 1, orderId }]);
    expect(await readTopic(brokers, dlt)).toHaveLength(1);
  });
});
