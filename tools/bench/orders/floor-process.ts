// The runner's side of floor-server.js: the floor server as a process on its own database copy.
import { join } from 'node:path';
import { parseJsonLine, startProcess, stopProcess } from '../shared/child-processes.js';

export interface FloorProcess {
  readonly address: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startFloorServer(options: {
  databaseUrl: string;
  /** The user every CreateOrder is for (the service takes it from the caller's token). */
  ownerId: string;
  cpu?: number;
}): Promise<FloorProcess> {
  const started = await startProcess({
    name: 'floor-server',
    file: process.execPath,
    args: [join(import.meta.dirname, 'floor-server.js')],
    env: {
      PATH: process.env['PATH'],
      NODE_ENV: 'production',
      FLOOR_DATABASE_URL: options.databaseUrl,
      FLOOR_OWNER_ID: options.ownerId,
    },
    ...(options.cpu !== undefined && { cpu: options.cpu }),
    ready: (line) => {
      const entry = parseJsonLine(line);
      return entry?.['msg'] === 'floor-server ready' ? String(entry['address']) : undefined;
    },
  });
  return { address: started.ready, pid: started.pid, stop: () => stopProcess(started.child) };
}
