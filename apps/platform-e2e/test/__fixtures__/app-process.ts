// One built app (`apps/<name>/dist/main.js`) as a child process: started, stopped gracefully,
// killed, restarted with the same environment; its JSON log lines kept for assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const appsDir = fileURLToPath(new URL('../../../', import.meta.url));

/** A parsed JSON log line. */
export type LogLine = Record<string, unknown> & { msg?: string };

export class AppProcess {
  private child: ChildProcess | undefined;
  readonly logs: LogLine[] = [];
  private stderr = '';
  /** From the ready line: the gRPC address (services) and the metrics port. */
  address = '';
  metricsPort = 0;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts the process and resolves once it logs `<name> ready` (60 s at most). */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, [`${appsDir}${this.name}/dist/main.js`], {
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} not ready in 60 s\n${this.tail()}`)),
        60_000,
      );
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${signal ?? code}) before it was ready\n${this.tail()}`));
      });
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          line = { msg: text };
        }
        this.logs.push(line);
        if (line.msg === `${this.name} ready`) {
          clearTimeout(timer);
          this.address = String(line['address'] ?? '');
          this.metricsPort = Number(line['metricsPort'] ?? 0);
          resolve();
        }
      });
    });
    await ready;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then the exit code (or signal) once it exited. */
  async stop(): Promise<number | string> {
    return this.signal('SIGTERM');
  }

  /** SIGKILL: no shutdown hook runs, as in a crash or an OOM kill. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Text of its metrics endpoint. */
  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`);
    return response.text();
  }

  private async signal(signal: NodeJS.Signals): Promise<number | string> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? child?.signalCode ?? 'not running';
    // 'close' (after its last output lines), not 'exit' (which can come before them).
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill(signal);
    const [code, received] = await exited;
    return code ?? received ?? 'unknown';
  }

  private tail(): string {
    const lines = this.logs.slice(-20).map((line) => JSON.stringify(line));
    return [...lines, this.stderr.slice(-2_000)].join('\n');
  }
}
