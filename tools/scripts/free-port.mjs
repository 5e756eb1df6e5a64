// A loopback port free right now, for the launchers (tools/scripts/postgres.mjs,
// tools/kafka/kafka.mjs), which run without a build and so cannot import libs/testing.
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
