// The runner's side of watch-order-streams.js: starts it, waits until every stream has its
// first message, and stops it, reading what happened to the streams meanwhile.
import { once } from 'node:events';
import { join } from 'node:path';
import { parseJsonLine, startProcess, stopProcess } from '../shared/child-processes.js';

export interface WatchersOptions {
  address: string;
  token: string;
  orderIds: readonly string[];
  streams: number;
  channels: number;
  /** CPU to pin the process to. */
  cpu?: number;
}

/** What the streams did until they were stopped. */
export interface WatchersSummary {
  /** Streams that had their first message. */
  watching: number;
  /** Streams that ended before the stop, per status. */
  ended: number;
  codes: Record<string, number>;
  messages: number;
}

export interface Watchers {
  /** How long opening all of them took (until the last one had its first message). */
  openMs: number;
  stop(): Promise<WatchersSummary>;
}

export async function openWatchers(options: WatchersOptions): Promise<Watchers> {
  let summary: WatchersSummary | undefined;
  const { cpu, ...watch } = options;
  const started = await startProcess({
    name: 'WatchOrder streams',
    file: process.execPath,
    args: [join(import.meta.dirname, 'watch-order-streams.js')],
    env: { PATH: process.env['PATH'], WATCH_OPTIONS: JSON.stringify(watch) },
    ...(cpu !== undefined && { cpu }),
    ready: (line) => {
      const message = parseJsonLine(line);
      return message?.['watching'] === options.streams && typeof message['ms'] === 'number'
        ? message['ms']
        : undefined;
    },
    onLine: (line) => {
      const message = parseJsonLine(line);
      if (message && 'ended' in message) summary = message as unknown as WatchersSummary;
    },
  });
  // Its last line (the summary) is read by the time its pipes close.
  let closed = false;
  started.child.once('close', () => (closed = true));
  return {
    openMs: started.ready,
    async stop() {
      const pipesClosed = closed ? Promise.resolve() : once(started.child, 'close');
      await stopProcess(started.child);
      await pipesClosed;
      if (!summary) throw new Error(`the WatchOrder streams process did not report\n${started.stderr()}`);
      return summary;
    },
  };
}
