import { createServer } from 'node:net';

/**
 * A loopback port free right now, for servers that cannot report the port they bound for `:0`
 * (a NestJS gRPC app). Another process may take it before it is used: prefer `:0` where the
 * server reports its port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
