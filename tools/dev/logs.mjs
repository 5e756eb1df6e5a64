#!/usr/bin/env node
// `npm run logs [app...] [--trace <id>] [--follow]`: the dev stack's app logs
// (.data/logs/<app>.log, JSON lines as the apps wrote them) printed readably with pino-pretty,
// every app by default, merged in time order. `--trace <id>` keeps the lines of one trace (their
// `trace_id`) across all apps; `--follow` then prints new lines as they are written.
import { prettyFactory } from 'pino-pretty';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { devApps } from './stack.mjs';

const usage = 'usage: npm run logs [-- [app...] [--trace <trace id>] [--follow]]';

/** The options of the command line; throws with a plain message on a bad one. */
export function parseLogsArgs(args, apps = devApps.map((app) => app.name)) {
  const options = { apps: [], trace: undefined, follow: false };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--follow' || arg === '-f') options.follow = true;
    else if (arg === '--trace') {
      const id = args[(index += 1)];
      if (!/^[0-9a-f]{32}$/.test(id ?? '')) {
        throw new Error(`--trace needs a trace id (32 hex digits), not ${id ?? 'nothing'}`);
      }
      options.trace = id;
    } else if (/^[0-9a-f]{32}$/.test(arg)) {
      // `npm run logs --trace <id>` without `--`: npm takes --trace as its own config and passes the id alone.
      options.trace = arg;
    } else if (apps.includes(arg)) options.apps.push(arg);
    else throw new Error(`unknown app or option ${arg}; the apps: ${apps.join(', ')}`);
  }
  if (options.apps.length === 0) options.apps = apps;
  return options;
}

/** A log line as an entry (its JSON and time), or undefined for a line that is not one of pino's. */
function entryOf(app, line) {
  if (!line.startsWith('{')) return { app, time: undefined, line, json: undefined };
  // pino's lines are JSON objects; what else an app printed is shown as it is.
  try {
    const json = JSON.parse(line);
    return { app, time: typeof json.time === 'number' ? json.time : undefined, line, json };
  } catch {
    return { app, time: undefined, line, json: undefined };
  }
}

/** Reads what `file` gained since `offset`: its complete lines and the new offset. */
function readFrom(file, offset) {
  if (!existsSync(file)) return { lines: [], offset: 0 };
  const size = statSync(file).size;
  if (size < offset) offset = 0; // rotated by dev
  if (size === offset) return { lines: [], offset };
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8');
  const end = text.lastIndexOf('\n') + 1;
  return {
    lines: text.slice(0, end).split('\n').filter(Boolean),
    offset: offset + Buffer.byteLength(text.slice(0, end)),
  };
}

/**
 * Prints the logs of `apps` in `logDir` through `write`; with `follow`, keeps printing new lines
 * every 500 ms until `signal` aborts. Resolves with the number of lines printed.
 */
export async function printLogs({ logDir, apps, trace, follow = false, write, colorize = false, signal }) {
  const pretty = prettyFactory({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  const offsets = new Map(apps.map((app) => [app, 0]));
  let printed = 0;
  const round = () => {
    const entries = [];
    for (const app of apps) {
      const { lines, offset } = readFrom(join(logDir, `${app}.log`), offsets.get(app));
      offsets.set(app, offset);
      // A line that is not pino's (a crash's stack) takes the time of the line before it, so it stays there.
      let time = 0;
      for (const line of lines) {
        const entry = entryOf(app, line);
        time = entry.time ?? time;
        if (trace && entry.json?.trace_id !== trace) continue;
        entries.push({ ...entry, time, index: entries.length });
      }
    }
    // Merged in time order across the apps, each app's own order kept.
    entries.sort((a, b) => a.time - b.time || a.index - b.index);
    for (const entry of entries) {
      write(
        entry.json
          ? `${entry.app.padEnd(18)} ${pretty(entry.json)}`
          : `${entry.app.padEnd(18)} ${entry.line}\n`,
      );
      printed += 1;
    }
  };
  round();
  while (follow && !signal?.aborted) {
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    round();
  }
  return printed;
}

if (process.argv[1] === import.meta.filename) {
  let options;
  try {
    options = parseLogsArgs(process.argv.slice(2));
    // Likewise `npm run logs --follow`: npm keeps the flag and sets npm_config_follow.
    if (process.env.npm_config_follow === 'true') options.follow = true;
  } catch (error) {
    console.error(`logs: ${error.message}\n${usage}`);
    process.exit(2);
  }
  const dataDir = process.env.DEV_DATA_DIR ?? resolve(import.meta.dirname, '..', '..', '.data');
  const logDir = join(resolve(dataDir), 'logs');
  const missing = options.apps.filter((app) => !existsSync(join(logDir, `${app}.log`)));
  if (missing.length === options.apps.length && !options.follow) {
    console.error(`logs: no logs in ${logDir} yet (npm run dev writes them)`);
    process.exit(1);
  }
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const printed = await printLogs({
    ...options,
    logDir,
    colorize: process.stdout.isTTY,
    write: (text) => process.stdout.write(text),
    signal: controller.signal,
  });
  if (printed === 0 && options.trace)
    console.error(`logs: no lines of trace ${options.trace} in ${options.apps.join(', ')}`);
}
