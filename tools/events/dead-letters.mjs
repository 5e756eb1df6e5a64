// The dead-letter replay tool's library: reading a dead-letter topic to its end, describing its
// records, choosing some, and re-driving them to their original topic. The CLI is replay.mjs;
// replay.spec.ts runs both against a real broker.
//
// This module needs only kafkajs (no build of the workspace's libs), so operators can run it from
// a checkout. The header names and `originalHeaders` mirror @platform/events
// (libs/events/src/consumer/dead-letter-headers.ts); the spec fails when they drift apart.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** Headers the consumer runtime puts on dead-letter records (as @platform/events `deadLetterHeaders`). */
export const deadLetterHeaders = Object.freeze({
  originalTopic: 'dlt-original-topic',
  originalPartition: 'dlt-original-partition',
  originalOffset: 'dlt-original-offset',
  group: 'dlt-group',
  attempts: 'dlt-attempts',
  reason: 'dlt-reason',
  error: 'dlt-error',
  time: 'dlt-time',
});

/** Headers the consumer runtime puts on retry-topic records (as @platform/events `retryHeaders`). */
export const retryHeaders = Object.freeze({
  pass: 'retry-pass',
  due: 'retry-due',
  attempts: 'retry-attempts',
  originalTopic: 'retry-original-topic',
  originalPartition: 'retry-original-partition',
  originalOffset: 'retry-original-offset',
  error: 'retry-error',
});

/** The `dlt-reason` values of the consumer runtime (@platform/events `DeadLetterReason`). */
export const deadLetterReasons = Object.freeze([
  'invalid-envelope',
  'unknown-type',
  'undecodable',
  'permanent-error',
  'retries-exhausted',
]);

const runtimeHeaderNames = new Set([...Object.values(deadLetterHeaders), ...Object.values(retryHeaders)]);

/**
 * The headers a record had when first published: the runtime's own ones removed. Works on string
 * headers and on kafkajs's raw ones (Buffers, arrays of repeated headers), which it keeps as they are.
 * @template T
 * @param {Readonly<Record<string, T>>} headers
 * @returns {Record<string, T>}
 */
export function originalHeaders(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !runtimeHeaderNames.has(name)));
}

/**
 * A consumer group's dead-letter topic for one source topic (@platform/events `deadLetterTopicOf`).
 * @param {string} topic
 * @param {string} group
 */
export function deadLetterTopicOf(topic, group) {
  return `${topic}.${group}.dlt`;
}

/** A refusal or failure the CLI reports as one line and a non-zero exit; `exitCode` 2 for bad usage. */
export class ReplayError extends Error {
  /**
   * @param {string} message
   * @param {number} [exitCode]
   */
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'ReplayError';
    this.exitCode = exitCode;
  }
}

const brokerPattern = /^[^\s:/]+:\d{1,5}$/;

/**
 * Bootstrap brokers from `--brokers` or KAFKA_BROKERS (`host:port,host:port`).
 * @param {string | undefined} option
 * @param {string | undefined} fromEnv
 * @returns {string[]}
 */
export function parseBrokers(option, fromEnv) {
  const text = option ?? fromEnv ?? '';
  const brokers = text
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (!brokers.length) {
    throw new ReplayError('no Kafka brokers: pass --brokers host:port[,host:port] or set KAFKA_BROKERS', 2);
  }
  const bad = brokers.filter((broker) => !brokerPattern.test(broker));
  if (bad.length) {
    throw new ReplayError(`bad broker address ${bad.map((b) => `"${b}"`).join(', ')}: expected host:port`, 2);
  }
  return brokers;
}

/**
 * `--offsets` as record positions: `7`, `0:7` (partition:offset), ranges `3-7` / `0:3-7`.
 * @param {string} text
 * @returns {{ partition: number | undefined, offset: bigint }[]}
 */
export function parseOffsets(text) {
  const positions = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const match = /^(?:(\d+):)?(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) {
      throw new ReplayError(
        `bad --offsets entry "${part}": expected <offset>, <partition>:<offset> or a range <from>-<to>`,
        2,
      );
    }
    const partition = match[1] === undefined ? undefined : Number(match[1]);
    const from = BigInt(match[2]);
    const to = match[3] === undefined ? from : BigInt(match[3]);
    if (to < from) throw new ReplayError(`bad --offsets range "${part}": ${to} is before ${from}`, 2);
    if (to - from >= 100_000n) throw new ReplayError(`--offsets range "${part}" is too large`, 2);
    for (let offset = from; offset <= to; offset++) positions.push({ partition, offset });
  }
  return positions;
}

/**
 * `--timeout`: seconds (`30`), or with a unit (`500ms`, `30s`, `2m`).
 * @param {string | undefined} text
 * @returns {number} milliseconds
 */
export function parseTimeout(text) {
  if (text === undefined) return 30_000;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const ms = match ? Number(match[1]) * { ms: 1, s: 1_000, m: 60_000 }[match[2] ?? 's'] : NaN;
  if (!(ms >= 100 && ms <= 3_600_000)) {
    throw new ReplayError(`bad --timeout "${text}": from 100ms to 60m (a number is seconds)`, 2);
  }
  return ms;
}

/**
 * A kafkajs client: quiet unless `verbose` (its log lines then go to stderr).
 * @param {readonly string[]} brokers
 * @param {{ verbose?: boolean, connectionTimeoutMs?: number }} [options]
 */
export function createClient(brokers, options = {}) {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  return new Kafka({
    clientId: 'platform-dlt-replay',
    brokers: [...brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    retry: { initialRetryTime: 200, retries: 3, maxRetryTime: 2_000 },
    logLevel: options.verbose ? logLevel.INFO : logLevel.NOTHING,
    logCreator:
      () =>
      ({ namespace, label, log }) => {
        const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
        console.error(`kafkajs ${label} [${namespace}] ${message} ${JSON.stringify(fields)}`);
      },
  });
}

/**
 * @typedef {object} DeadLetter One record of a dead-letter topic, described.
 * @property {number} partition
 * @property {string} offset
 * @property {Buffer | null} key
 * @property {Buffer | null} value
 * @property {Record<string, Buffer | string | (Buffer | string)[] | undefined>} rawHeaders as read
 * @property {Record<string, string>} headers the first value of each, as text
 * @property {string} timestamp the record's timestamp (epoch ms)
 */

/**
 * @typedef {object} TopicContents
 * @property {string} topic
 * @property {{ partition: number, low: bigint, high: bigint }[]} partitions
 * @property {DeadLetter[]} records in partition, then offset order
 */

/**
 * @param {import('kafkajs').IHeaders | undefined} headers
 * @returns {Record<string, string>}
 */
function headerStrings(headers) {
  /** @type {Record<string, string>} */
  const result = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}

/**
 * Topics on the cluster, through an admin client connected for the call.
 * @param {import('kafkajs').Kafka} kafka
 * @returns {Promise<string[]>}
 */
export async function listTopics(kafka) {
  const admin = kafka.admin();
  await connectOrExplain(admin);
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every dead-letter topic (`*.dlt`) and how many records it holds now.
 * @param {import('kafkajs').Kafka} kafka
 * @returns {Promise<{ topic: string, records: bigint }[]>}
 */
export async function deadLetterTopics(kafka) {
  const admin = kafka.admin();
  await connectOrExplain(admin);
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.endsWith('.dlt')).sort();
    const result = [];
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const records = offsets.reduce((sum, entry) => sum + BigInt(entry.high) - BigInt(entry.low), 0n);
      result.push({ topic, records });
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Connects a kafkajs client; an unreachable cluster becomes a {@link ReplayError} saying so.
 * @param {{ connect(): Promise<void> }} client
 */
async function connectOrExplain(client) {
  try {
    await client.connect();
  } catch (error) {
    throw new ReplayError(`cannot connect to Kafka: ${explain(error)}`);
  }
}

/**
 * One line for a kafkajs error, its cause included (kafkajs wraps connection errors in retries).
 * @param {unknown} error
 * @returns {string}
 */
export function explain(error) {
  if (!(error instanceof Error)) return String(error);
  /** @type {Error & { cause?: unknown, broker?: string }} */
  const withCause = error;
  const cause = withCause.cause instanceof Error ? withCause.cause : undefined;
  const text =
    cause && cause.message !== error.message ? `${error.message} (${cause.message})` : error.message;
  return text.replace(/\s+/g, ' ');
}

/**
 * Reads `topic` from its beginning to its end at the time of the call with a throwaway consumer
 * group: nothing is committed for any real group (the throwaway group is deleted afterwards, best
 * effort). Records appended meanwhile are not read.
 * @param {import('kafkajs').Kafka} kafka
 * @param {string} topic
 * @param {{ signal?: AbortSignal }} [options] aborting stops the read (and rejects)
 * @returns {Promise<TopicContents>}
 */
export async function readDeadLetters(kafka, topic, options = {}) {
  const admin = kafka.admin();
  await connectOrExplain(admin);
  /** @type {{ partition: number, low: bigint, high: bigint }[]} */
  let partitions;
  const groupId = `platform-dlt-replay-${randomUUID()}`;
  let joined = false;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      // The nearest names first (longest common prefix): a typo's target leads the list.
      const common = (/** @type {string} */ name) => {
        let length = 0;
        while (length < name.length && name[length] === topic[length]) length++;
        return length;
      };
      const dlts = topics
        .filter((name) => name.endsWith('.dlt'))
        .sort((a, b) => common(b) - common(a) || a.localeCompare(b));
      const hint = dlts.length
        ? `; dead-letter topics there: ${dlts.slice(0, 10).join(', ')}${dlts.length > 10 ? `, … (${dlts.length} in all; see the topics command)` : ''}`
        : '; there is no dead-letter topic (*.dlt) there';
      throw new ReplayError(`topic ${topic} not found${hint}`);
    }
    partitions = (await admin.fetchTopicOffsets(topic))
      .map((entry) => ({ partition: entry.partition, low: BigInt(entry.low), high: BigInt(entry.high) }))
      .sort((a, b) => a.partition - b.partition);
    if (partitions.every((p) => p.high <= p.low)) return { topic, partitions, records: [] };
    joined = true;
    const records = await readPartitions(kafka, topic, groupId, partitions, options.signal);
    return { topic, partitions, records };
  } finally {
    if (joined) await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * @param {import('kafkajs').Kafka} kafka
 * @param {string} topic
 * @param {string} groupId
 * @param {{ partition: number, low: bigint, high: bigint }[]} partitions
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<DeadLetter[]>}
 */
async function readPartitions(kafka, topic, groupId, partitions, signal) {
  const ends = new Map(partitions.map((p) => [p.partition, p.high]));
  const remaining = new Set(partitions.filter((p) => p.high > p.low).map((p) => p.partition));
  /** @type {DeadLetter[]} */
  const records = [];
  if (!remaining.size) return records;
  // The disconnect waits for the fetch in flight: an empty one is held 500 ms, not kafkajs's 5 s.
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  await connectOrExplain(consumer);
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise((resolve, reject) => {
      const onAbort = () => reject(signal?.reason ?? new Error('aborted'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(undefined);
      };
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        signal?.removeEventListener('abort', onAbort);
        reject(new ReplayError(`reading ${topic} failed: ${explain(payload.error)}`));
      });
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch }) => {
            const high = ends.get(batch.partition) ?? 0n;
            if (!remaining.has(batch.partition)) return;
            for (const message of batch.messages) {
              if (BigInt(message.offset) >= high) break;
              records.push({
                partition: batch.partition,
                offset: message.offset,
                key: message.key ?? null,
                value: message.value ?? null,
                rawHeaders: { ...(message.headers ?? {}) },
                headers: headerStrings(message.headers),
                timestamp: message.timestamp,
              });
            }
            // lastOffset() counts records the batch filtered out (control records) too.
            if (BigInt(batch.lastOffset()) + 1n >= high) remaining.delete(batch.partition);
            if (!remaining.size) finish();
          },
        })
        .catch((error) => reject(new ReplayError(`reading ${topic} failed: ${explain(error)}`)));
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return records.sort((a, b) =>
    a.partition !== b.partition ? a.partition - b.partition : Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

/**
 * The record's position as the CLI shows and takes it: the offset alone when the topic has one
 * partition, else `partition:offset`.
 * @param {{ partition: number, offset: string }} record
 * @param {number} partitionCount
 */
export function positionOf(record, partitionCount) {
  return partitionCount > 1 ? `${record.partition}:${record.offset}` : record.offset;
}

/**
 * @typedef {object} DeadLetterView What an operator sees of a dead-lettered record.
 * @property {number} partition
 * @property {string} offset
 * @property {string | null} time `dlt-time` (else the record's timestamp), ISO 8601
 * @property {string | null} reason
 * @property {number | null} attempts
 * @property {string | null} group
 * @property {string | null} originalTopic
 * @property {number | null} originalPartition
 * @property {string | null} originalOffset
 * @property {string | null} ceType
 * @property {string | null} ceId
 * @property {string | null} key UTF-8 text, or base64 when `keyEncoding` says so
 * @property {'utf8' | 'base64'} keyEncoding
 * @property {string | null} error
 * @property {number} valueBytes
 */

/**
 * @param {Buffer | null} key
 * @returns {{ key: string | null, keyEncoding: 'utf8' | 'base64' }}
 */
function keyText(key) {
  if (!key) return { key: null, keyEncoding: 'utf8' };
  const text = key.toString('utf8');
  // Printable UTF-8 that round-trips is shown as text; anything else as base64.
  // eslint-disable-next-line no-control-regex -- control characters are what we look for
  if (Buffer.from(text, 'utf8').equals(key) && !/[\u0000-\u001f\u007f]/.test(text)) {
    return { key: text, keyEncoding: 'utf8' };
  }
  return { key: key.toString('base64'), keyEncoding: 'base64' };
}

/**
 * @param {DeadLetter} record
 * @returns {DeadLetterView}
 */
export function describe(record) {
  const h = record.headers;
  const number = (/** @type {string | undefined} */ text) =>
    text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
  const timestamp = Number(record.timestamp);
  const time =
    h[deadLetterHeaders.time] ?? (Number.isFinite(timestamp) ? new Date(timestamp).toISOString() : null);
  return {
    partition: record.partition,
    offset: record.offset,
    time,
    reason: h[deadLetterHeaders.reason] ?? null,
    attempts: number(h[deadLetterHeaders.attempts]),
    group: h[deadLetterHeaders.group] ?? null,
    originalTopic: h[deadLetterHeaders.originalTopic] || null,
    originalPartition: number(h[deadLetterHeaders.originalPartition]),
    originalOffset: h[deadLetterHeaders.originalOffset] ?? null,
    ceType: h['ce_type'] ?? null,
    ceId: h['ce_id'] ?? null,
    ...keyText(record.key),
    error: h[deadLetterHeaders.error] ?? null,
    valueBytes: record.value?.length ?? 0,
  };
}

/**
 * @typedef {object} Selector Which records: one of these (none: every record).
 * @property {{ partition: number | undefined, offset: bigint }[]} [offsets]
 * @property {string[]} [ids] `ce_id`s
 * @property {string} [reason] a `dlt-reason`
 * @property {boolean} [all]
 */

/**
 * The records a selector names. Refuses offsets that are not in the topic and ids that are in no
 * record. With `latestPerId`, a `ce_id` chosen more than once (an event dead-lettered again after a
 * replay) is chosen once, at its latest record; the others come back as `superseded`.
 * @param {TopicContents} contents
 * @param {Selector} selector
 * @param {{ latestPerId?: boolean }} [options]
 * @returns {{ chosen: DeadLetter[], superseded: { record: DeadLetter, by: DeadLetter }[] }}
 */
export function select(contents, selector, options = {}) {
  const { records, partitions, topic } = contents;
  /** @type {DeadLetter[]} */
  let chosen;
  if (selector.offsets) {
    const byPosition = new Map(records.map((r) => [`${r.partition}:${r.offset}`, r]));
    const wanted = new Set();
    chosen = [];
    for (const { partition, offset } of selector.offsets) {
      if (partition === undefined && partitions.length > 1) {
        throw new ReplayError(
          `${topic} has ${partitions.length} partitions: name records as <partition>:<offset> (e.g. 0:${offset})`,
          2,
        );
      }
      const p = partition ?? partitions[0]?.partition ?? 0;
      const record = byPosition.get(`${p}:${offset}`);
      if (!record) {
        const range = partitions.find((entry) => entry.partition === p);
        const holds = !range
          ? `it has no partition ${p}`
          : range.high > range.low
            ? `partition ${p} holds offsets ${range.low}-${range.high - 1n}`
            : `partition ${p} is empty`;
        throw new ReplayError(
          `offset ${partition === undefined ? '' : `${p}:`}${offset} is not in ${topic} (${holds})`,
        );
      }
      if (!wanted.has(record)) chosen.push(record);
      wanted.add(record);
    }
    chosen.sort((a, b) => records.indexOf(a) - records.indexOf(b));
  } else if (selector.ids) {
    const present = new Set(records.map((r) => r.headers['ce_id']));
    const missing = selector.ids.filter((id) => !present.has(id));
    if (missing.length) {
      throw new ReplayError(`no record in ${topic} has ce_id ${missing.join(', ')}`);
    }
    const ids = new Set(selector.ids);
    chosen = records.filter((r) => ids.has(r.headers['ce_id'] ?? ''));
  } else if (selector.reason) {
    chosen = records.filter((r) => r.headers[deadLetterHeaders.reason] === selector.reason);
  } else {
    chosen = [...records];
  }
  /** @type {{ record: DeadLetter, by: DeadLetter }[]} */
  const superseded = [];
  if (options.latestPerId) {
    /** @type {Map<string, DeadLetter>} */
    const latest = new Map();
    for (const record of chosen) {
      const id = record.headers['ce_id'];
      if (id) latest.set(id, record);
    }
    chosen = chosen.filter((record) => {
      const id = record.headers['ce_id'];
      const last = id ? latest.get(id) : record;
      if (last && last !== record) superseded.push({ record, by: last });
      return last === record;
    });
  }
  return { chosen, superseded };
}

/**
 * The record to publish for a dead-lettered one: its original topic, key, value and headers (the
 * runtime's removed, so the consumer sees a fresh delivery; `ce_id` unchanged, so the inbox skips
 * an event already applied). Refuses a record without `dlt-original-topic`.
 * @param {DeadLetter} record
 * @param {string} position as the operator named it
 * @returns {{ topic: string, messages: import('kafkajs').Message[] }}
 */
export function replayMessage(record, position) {
  const topic = record.headers[deadLetterHeaders.originalTopic];
  if (!topic) {
    throw new ReplayError(
      `record ${position} has no ${deadLetterHeaders.originalTopic} header: not written by the consumer runtime, nothing to replay it to`,
    );
  }
  return {
    topic,
    messages: [{ key: record.key, value: record.value, headers: originalHeaders(record.rawHeaders) }],
  };
}

/**
 * An idempotent producer (acks=all, one request in flight) that never creates topics.
 * @param {import('kafkajs').Kafka} kafka
 */
export async function connectProducer(kafka) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await connectOrExplain(producer);
  return producer;
}

/**
 * Publishes one replayed record and waits for all in-sync replicas; resolves with where it landed.
 * @param {import('kafkajs').Producer} producer
 * @param {{ topic: string, messages: import('kafkajs').Message[] }} message
 * @param {number} timeoutMs
 * @returns {Promise<{ partition: number, offset: string }>}
 */
export async function publish(producer, message, timeoutMs) {
  const [metadata] = await producer.send({ ...message, acks: -1, timeout: timeoutMs });
  return { partition: metadata?.partition ?? -1, offset: metadata?.baseOffset ?? '?' };
}

/**
 * Left-aligned columns; cells longer than their column's `max` are cut with `…`.
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {(number | undefined)[]} [max]
 */
export function formatTable(header, rows, max = []) {
  const cut = (/** @type {string} */ text, /** @type {number | undefined} */ limit) =>
    limit !== undefined && text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
  const cells = [header, ...rows].map((row) => row.map((cell, i) => cut(cell, max[i])));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The `list` table.
 * @param {DeadLetterView[]} views
 * @param {number} partitionCount
 */
export function deadLetterTable(views, partitionCount) {
  const dash = (/** @type {unknown} */ value) =>
    value === null || value === undefined ? '-' : String(value);
  const time = (/** @type {string | null} */ iso) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : '-');
  return formatTable(
    [
      'OFFSET',
      'TIME',
      'REASON',
      'ATTEMPTS',
      'ORIGIN (topic/partition/offset)',
      'CE_TYPE',
      'CE_ID',
      'KEY',
      'ERROR',
    ],
    views.map((v) => [
      positionOf(v, partitionCount),
      time(v.time),
      dash(v.reason),
      dash(v.attempts),
      v.originalTopic ? `${v.originalTopic}/${dash(v.originalPartition)}/${dash(v.originalOffset)}` : '-',
      dash(v.ceType),
      dash(v.ceId),
      v.key === null ? '-' : v.keyEncoding === 'base64' ? `base64:${v.key}` : v.key,
      dash(v.error?.replace(/\s+/g, ' ')),
    ]),
    [undefined, undefined, undefined, undefined, 60, 50, 40, 40, 80],
  );
}
