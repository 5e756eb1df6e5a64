// A Kafka broker of the suite's own (tools/kafka), which a test may stop and restart on its data
// without disturbing the broker the other suites share.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const launcher = fileURLToPath(new URL('../../../../tools/kafka/kafka.mjs', import.meta.url));

export class KafkaBroker {
  private readonly env = {
    ...process.env,
    KAFKA_STATE_FILE: join(tmpdir(), `platform-e2e-kafka-${randomUUID()}.json`),
  };
  bootstrap = '';

  private async launcher(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [launcher, ...args], { env: this.env, timeout: 120_000 });
    return stdout.trim();
  }

  async start(): Promise<string> {
    this.bootstrap = await this.launcher('start');
    return this.bootstrap;
  }

  /** Stops the broker and keeps its data; `start()` resumes it on the same address. */
  pause(): Promise<string> {
    return this.launcher('stop', '--keep');
  }

  async dispose(): Promise<void> {
    await this.launcher('stop');
  }
}
