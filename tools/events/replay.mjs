#!/usr/bin/env node
// Dead-letter replay: lists the records the consumer runtime (@platform/events) parked in a
// dead-letter topic (`<topic>.<group>.dlt`) and re-drives chosen ones to their original topic
// with their original key, value and headers.
//
//   node tools/events/replay.mjs topics  [--brokers b]                      # the *.dlt topics, record counts
//   node tools/events/replay.mjs list    [--brokers b] <topic> [filter] [--json]
//   node tools/events/replay.mjs replay  [--brokers b] <topic> <selection> [--dry-run] [--json]
//
//   <topic>      --topic <dead-letter topic>, or --group <g> --source <topic> [--namespace <ns>]
//                (the topic is <ns><topic>.<ns><g>.dlt, as the runtime names it with KAFKA_NAMESPACE)
//   <selection>  --offsets 3,7,9-12 (<partition>:<offset> when the topic has several partitions)
//                | --ids <ce_id,…> | --reason <dlt-reason> | --all          (list takes them as filters)
//   --brokers    host:port[,host:port]; default KAFKA_BROKERS
//   --timeout    bound of the whole run: seconds or 500ms/30s/2m (default 30 s)
//   --verbose    kafkajs's own log lines on stderr
//
// Examples:
//   KAFKA_BROKERS=127.0.0.1:9092 node tools/events/replay.mjs list --group user-service.order-stats --source order.events.v1
//   node tools/events/replay.mjs replay --topic order.events.v1.user-service.order-stats.dlt --offsets 3,7 --dry-run
//   node tools/events/replay.mjs replay --topic order.events.v1.user-service.order-stats.dlt --reason permanent-error
//
// How it works: the dead-letter topic is read from its beginning to its end at start with a
// throwaway consumer group (never committed for a real group; deleted afterwards). A replayed
// record goes to the topic in its dlt-original-topic header, keyed as before (so to the same
// partition as its aggregate's other events while the partition count is unchanged), with its
// headers minus the runtime's dlt-*/retry-* ones: the consumer groups see a fresh delivery. Its
// ce_id is unchanged, so a consumer with an inbox skips an event it has already applied. The
// producer is idempotent with acks=all; records are sent one by one in dead-letter order, each
// line printed once acknowledged, then `replayed N of M records` (on stderr with --json, whose
// stdout is JSON lines only). The dead-letter topic is left as it is (append-only): what was
// replayed is what this prints (keep it, or use --json). With --ids, --reason or --all, an event
// dead-lettered more than once (replayed and failed again) is replayed once, from its latest record.
//
// Everything is checked before anything is published: an unknown topic, an offset that is not in
// the topic, an unknown ce_id, a chosen record without dlt-original-topic, or an original topic
// that no longer exists is refused with a message naming it. Exit codes: 0 done (also when the
// selection is empty), 1 refused or failed (a failure mid-replay says how many went out), 2 bad
// usage. Needs only Node.js and the workspace's kafkajs (no build).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  connectProducer,
  createClient,
  deadLetterReasons,
  deadLetterTable,
  deadLetterTopicOf,
  deadLetterTopics,
  describe,
  explain,
  listTopics,
  parseBrokers,
  parseOffsets,
  parseTimeout,
  positionOf,
  publish,
  readDeadLetters,
  ReplayError,
  replayMessage,
  select,
} from './dead-letters.mjs';

const usage = `usage:
  replay.mjs topics [--brokers host:port,…]
  replay.mjs list   [--brokers …] (--topic <dlt> | --group <g> --source <topic> [--namespace <ns>])
                    [--offsets 3,7 | --ids <ce_id,…> | --reason <reason>] [--json]
  replay.mjs replay [--brokers …] (--topic <dlt> | --group <g> --source <topic> [--namespace <ns>])
                    (--offsets 3,7 | --ids <ce_id,…> | --reason <reason> | --all) [--dry-run] [--json]
options: --timeout <30s> --verbose --help; brokers default to KAFKA_BROKERS
reasons: ${deadLetterReasons.join(', ')}`;

const options = /** @type {const} */ ({
  brokers: { type: 'string' },
  topic: { type: 'string' },
  group: { type: 'string' },
  source: { type: 'string' },
  namespace: { type: 'string' },
  offsets: { type: 'string' },
  ids: { type: 'string' },
  reason: { type: 'string' },
  all: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
});

/**
 * The command line, checked.
 * @param {string[]} argv
 * @param {Record<string, string | undefined>} env
 */
export function parseCommand(argv, env) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ReplayError(`${error instanceof Error ? error.message : String(error)}\n${usage}`, 2);
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help || command === 'help') return { command: 'help' };
  if (!command) throw new ReplayError(`no command\n${usage}`, 2);
  if (!['topics', 'list', 'replay'].includes(command)) {
    throw new ReplayError(`unknown command "${command}"\n${usage}`, 2);
  }
  if (extra.length) throw new ReplayError(`unexpected argument "${extra[0]}"\n${usage}`, 2);

  const timeoutMs = parseTimeout(values.timeout);
  const brokers = parseBrokers(values.brokers, env['KAFKA_BROKERS']);
  const common = { brokers, timeoutMs, json: values.json ?? false, verbose: values.verbose ?? false };
  if (command === 'topics') return { command, ...common };

  const topic = topicOf(values);
  const given = /** @type {const} */ (['offsets', 'ids', 'reason', 'all']).filter(
    (name) => values[name] !== undefined && values[name] !== false,
  );
  if (given.length > 1) {
    throw new ReplayError(`give one of --offsets, --ids, --reason, --all (got --${given.join(', --')})`, 2);
  }
  if (command === 'replay' && !given.length) {
    throw new ReplayError('choose the records to replay: --offsets, --ids, --reason or --all', 2);
  }
  if (command === 'list' && values.all) throw new ReplayError('list shows every record without --all', 2);
  if (command === 'list' && values['dry-run']) throw new ReplayError('--dry-run is for replay', 2);
  /** @type {import('./dead-letters.mjs').Selector} */
  const selector = {};
  if (values.offsets !== undefined) selector.offsets = parseOffsets(values.offsets);
  if (values.ids !== undefined) {
    selector.ids = values.ids
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    if (!selector.ids.length) throw new ReplayError('--ids needs at least one ce_id', 2);
  }
  if (values.reason !== undefined) {
    if (!deadLetterReasons.includes(values.reason)) {
      throw new ReplayError(`unknown --reason "${values.reason}": one of ${deadLetterReasons.join(', ')}`, 2);
    }
    selector.reason = values.reason;
  }
  if (values.all) selector.all = true;
  return { command, ...common, topic, selector, dryRun: values['dry-run'] ?? false };
}

/**
 * @param {{ topic?: string, group?: string, source?: string, namespace?: string }} values
 * @returns {string}
 */
function topicOf(values) {
  if (values.topic !== undefined) {
    if (values.group !== undefined || values.source !== undefined || values.namespace !== undefined) {
      throw new ReplayError(
        'give either --topic (the full dead-letter topic name) or --group and --source [--namespace]',
        2,
      );
    }
    if (!values.topic) throw new ReplayError('--topic is empty', 2);
    return values.topic;
  }
  if (!values.group || !values.source) {
    throw new ReplayError(
      'name the dead-letter topic: --topic <name>, or --group <consumer group> --source <topic> [--namespace <ns>]',
      2,
    );
  }
  const namespace = values.namespace ?? '';
  if (!/^[A-Za-z0-9._-]*$/.test(namespace)) {
    throw new ReplayError(`bad --namespace "${namespace}": letters, digits, ".", "_" and "-"`, 2);
  }
  return deadLetterTopicOf(namespace + values.source, namespace + values.group);
}

/** @param {unknown} value */
const json = (value) => JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));

/**
 * Runs one command; resolves with the exit code.
 * @param {ReturnType<typeof parseCommand>} command
 * @param {AbortSignal} signal aborted when the run is out of time
 */
async function run(command, signal) {
  if (command.command === 'help') {
    console.log(usage);
    return 0;
  }
  const kafka = createClient(command.brokers, { verbose: command.verbose });

  if (command.command === 'topics') {
    const topics = await deadLetterTopics(kafka);
    if (command.json) {
      for (const entry of topics) console.log(json(entry));
    } else if (!topics.length) {
      console.log('no dead-letter topics (*.dlt)');
    } else {
      for (const { topic, records } of topics) console.log(`${String(records).padStart(8)}  ${topic}`);
    }
    return 0;
  }

  const contents = await readDeadLetters(kafka, command.topic, { signal });
  const partitionCount = contents.partitions.length;
  const at = (/** @type {import('./dead-letters.mjs').DeadLetter} */ record) =>
    positionOf(record, partitionCount);

  if (command.command === 'list') {
    const filtered = Object.keys(command.selector).length > 0;
    const { chosen } = select(contents, command.selector);
    const views = chosen.map(describe);
    if (command.json) {
      for (const view of views) console.log(json(view));
    } else if (!contents.records.length) {
      console.log(`no dead-lettered records in ${contents.topic}`);
    } else {
      if (views.length) console.log(deadLetterTable(views, partitionCount));
      console.log(
        filtered
          ? `${views.length} of ${contents.records.length} records in ${contents.topic}`
          : `${views.length} records in ${contents.topic}`,
      );
    }
    return 0;
  }

  // replay: everything is checked before anything is published.
  const { chosen, superseded } = select(contents, command.selector, {
    latestPerId: command.selector.offsets === undefined,
  });
  const planned = chosen.map((record) => ({ record, message: replayMessage(record, at(record)) }));
  const targets = [...new Set(planned.map((p) => p.message.topic))];
  if (targets.length) {
    const existing = new Set(await listTopics(kafka));
    const missing = targets.filter((topic) => !existing.has(topic));
    if (missing.length) {
      const names = missing.map((topic) => {
        const of = planned.filter((p) => p.message.topic === topic).map((p) => at(p.record));
        return `${topic} (of ${of.join(', ')})`;
      });
      throw new ReplayError(`original topic ${names.join(', ')} does not exist; nothing replayed`);
    }
  }
  const log = (/** @type {Record<string, unknown>} */ entry, /** @type {string} */ text) =>
    console.log(command.json ? json(entry) : text);
  const summary = (/** @type {string} */ text) => (command.json ? console.error(text) : console.log(text));
  const line = (/** @type {import('./dead-letters.mjs').DeadLetterView} */ view) =>
    `ce_id=${view.ceId ?? '-'} ce_type=${view.ceType ?? '-'} key=${view.key === null ? '-' : view.keyEncoding === 'base64' ? `base64:${view.key}` : view.key} reason=${view.reason ?? '-'}`;

  for (const { record, by } of superseded) {
    const view = describe(record);
    log(
      { action: 'superseded', ...view, by: { partition: by.partition, offset: by.offset } },
      `skipping ${at(record)}: ce_id ${view.ceId} was dead-lettered again at ${at(by)}, which is replayed instead`,
    );
  }
  if (command.dryRun) {
    for (const { record, message } of planned) {
      const view = describe(record);
      log(
        { action: 'would-replay', ...view, to: { topic: message.topic } },
        `would replay ${at(record)} -> ${message.topic} ${line(view)}`,
      );
    }
    summary(
      `dry run: would replay ${planned.length} of ${planned.length} records from ${contents.topic}; nothing published`,
    );
    return 0;
  }
  if (!planned.length) {
    summary(`replayed 0 of 0 records: nothing in ${contents.topic} matches`);
    return 0;
  }
  const producer = await connectProducer(kafka);
  let replayed = 0;
  try {
    for (const { record, message } of planned) {
      if (signal.aborted) throw signal.reason;
      let landed;
      try {
        landed = await publish(producer, message, 10_000);
      } catch (error) {
        throw new ReplayError(
          `publishing ${at(record)} to ${message.topic} failed (it may or may not have been written): ${explain(error)}`,
        );
      }
      replayed++;
      const view = describe(record);
      log(
        { action: 'replayed', ...view, to: { topic: message.topic, ...landed } },
        `replayed ${at(record)} -> ${message.topic}/${landed.partition}/${landed.offset} ${line(view)}`,
      );
    }
  } catch (error) {
    summary(`replayed ${replayed} of ${planned.length} records from ${contents.topic}`);
    throw error;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
  summary(`replayed ${replayed} of ${planned.length} records from ${contents.topic}`);
  return 0;
}

async function main() {
  let command;
  try {
    command = parseCommand(process.argv.slice(2), process.env);
  } catch (error) {
    return fail(error);
  }
  const timeoutMs = 'timeoutMs' in command ? command.timeoutMs : 30_000;
  const deadline = new AbortController();
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const expired = new Promise((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new ReplayError(`timed out after ${timeoutMs / 1000} s (raise --timeout)`);
      deadline.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    process.exitCode = await Promise.race([run(command, deadline.signal), expired]);
  } catch (error) {
    fail(error);
  } finally {
    clearTimeout(timer);
  }
  // Out of time, kafkajs may still be waiting on a broker: leave now. Else it has closed its
  // sockets (the process ends by itself); do not wait long for one that has not.
  if (deadline.signal.aborted) process.exit();
  setTimeout(() => process.exit(), 2_000).unref();
}

/** @param {unknown} error */
function fail(error) {
  if (error instanceof ReplayError) {
    console.error(`replay.mjs: ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    console.error(`replay.mjs: ${explain(error)}`);
    if (process.env.REPLAY_DEBUG && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  }
}

// Run as a script; imported (by the spec), it only exports parseCommand.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
