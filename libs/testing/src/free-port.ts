import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Where a picked port is looked for: below the kernel's range of ephemeral ports (Linux's
 * `ip_local_port_range`, 32768-60999 by default; 49152 up elsewhere), from which every outgoing
 * connection on the machine takes its local port. A port picked there (what `listen(0)` gives)
 * can be taken by any connection before the process it was picked for binds it: a CI run's
 * parallel suites open thousands, and a dev stack started by a test once failed with
 * EADDRINUSE that way.
 */
function pickRange(): { low: number; high: number } {
  let ephemeralLow = 32_768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
  } catch {
    // Not Linux: 32768 is below the ephemeral ranges of the others.
  }
  const high = Math.min(32_767, ephemeralLow - 1);
  return { low: Math.min(10_000, high - 1_000), high };
}

const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A loopback port free right now, for a server started later that cannot be given `:0` and report
 * its port (a NestJS gRPC app, a child process told its port). Chosen at random below the
 * ephemeral range, so that no outgoing connection takes it meanwhile; another test picking the
 * same one is the remaining (small) chance. Prefer `:0` where the server reports its port.
 */
export async function freePort(): Promise<number> {
  const { low, high } = pickRange();
  for (let tries = 0; tries < 100; tries += 1) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    // Not one this process handed out already: its server may not listen yet.
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free loopback port in ${low}-${high} after 100 tries`);
}
