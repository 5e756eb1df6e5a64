import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { freePort } from './free-port.js';

/** The low end of the kernel's ephemeral ports here (32768 where /proc does not say). */
function ephemeralLow(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
  } catch {
    return 32_768;
  }
}

describe('freePort', () => {
  it('returns a loopback port a server can then listen on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);

    const server = createServer().listen(port, '127.0.0.1');
    await once(server, 'listening');
    expect((server.address() as { port: number }).port).toBe(port);
    await new Promise((resolve) => server.close(resolve));
  });

  it('picks below the ephemeral range, where no outgoing connection takes the port meanwhile', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) expect(port).toBeLessThan(ephemeralLow());
    // At random: twenty picks are not one port over and over.
    expect(new Set(ports).size).toBeGreaterThan(1);
  });

  it('passes over a port something listens on', async () => {
    const server = createServer().listen(await freePort(), '127.0.0.1');
    await once(server, 'listening');
    const taken = (server.address() as { port: number }).port;
    // The range freePort draws from, as it works it out; the first draw lands on the taken port.
    const high = Math.min(32_767, ephemeralLow() - 1);
    const low = Math.min(20_000, high - 1_000);
    const portAt = (draw: number) => low + Math.floor(draw * (high - low + 1));
    const next = portAt(0.5) === taken ? 0.25 : 0.5;
    const draws = [(taken - low + 0.5) / (high - low + 1), next];
    const random = vi.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? next);
    try {
      expect(portAt(draws[0] ?? 0)).toBe(taken);
      expect(await freePort()).toBe(portAt(next));
    } finally {
      random.mockRestore();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
