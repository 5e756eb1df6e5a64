// The benchmark's own Kafka broker (tools/kafka/kafka.mjs with a private state file), so the
// run neither needs nor disturbs another broker, optionally pinned to a CPU (the JVM inherits
// the launcher's affinity). Stopped (and its data deleted) by `stop()`.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { pinned } from './pin-cpu.js';

const run = promisify(execFile);
const launcher = resolve(import.meta.dirname, '..', '..', '..', 'kafka', 'kafka.mjs');

export interface KafkaBroker {
  /** `127.0.0.1:<port>`. */
  readonly bootstrap: string;
  /** Stops the broker and deletes its data; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startKafkaBroker(options: { cpu?: number } = {}): Promise<KafkaBroker> {
  const env = { ...process.env, KAFKA_STATE_FILE: join(tmpdir(), `events-bench-kafka-${randomUUID()}.json`) };
  const launch = async (...args: string[]) => {
    const command = pinned(options.cpu, process.execPath, [launcher, ...args]);
    const { stdout } = await run(command.file, command.args, { env, timeout: 180_000 });
    return stdout.trim();
  };
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= launch('stop').then(() => undefined));
  try {
    const bootstrap = (await launch('start')).split('\n').pop() ?? '';
    if (!/^127\.0\.0\.1:\d+$/.test(bootstrap)) throw new Error(`kafka.mjs start printed "${bootstrap}"`);
    return { bootstrap, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
