// Loopback ports for the launchers (tools/scripts/postgres.mjs, tools/kafka/kafka.mjs, the dev
// runner) and the tools' tests, which run without a build and so cannot import libs/testing
// (whose freePort picks the same way).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Below the kernel's range of ephemeral ports (Linux's `ip_local_port_range`, 32768-60999 by
 * default; 49152 up elsewhere): a port from `listen(0)` can be taken by any outgoing connection
 * before the process it was picked for binds it (a dev stack started by a test once failed with
 * EADDRINUSE that way, among a CI run's parallel suites).
 */
function pickRange() {
  let ephemeralLow = 32_768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
  } catch {
    // Not Linux: 32768 is below the ephemeral ranges of the others.
  }
  const high = Math.min(32_767, ephemeralLow - 1);
  return { low: Math.min(10_000, high - 1_000), high };
}

const handedOut = new Set();

/** A loopback port free right now, chosen at random below the ephemeral range. */
export async function freePort() {
  const { low, high } = pickRange();
  for (let tries = 0; tries < 100; tries += 1) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    // Not one this process handed out already: its server may not listen yet.
    if (handedOut.has(port) || !(await portFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free loopback port in ${low}-${high} after 100 tries`);
}

/** Whether nothing listens on 127.0.0.1:port right now (a kept server's port, before reusing it). */
export function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
