import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  describe('with the draws given', () => {
    // The range freePort draws from, as it works it out.
    const high = Math.min(32_767, ephemeralLow() - 1);
    const low = Math.min(10_000, high - 1_000);
    const portAt = (draw: number) => low + Math.floor(draw * (high - low + 1));
    const drawOf = (port: number) => (port - low + 0.5) / (high - low + 1);

    /** A fresh module (nothing handed out yet) whose Math.random gives `draws`, then the last. */
    async function freshFreePort(draws: number[]) {
      vi.resetModules();
      const last = draws.at(-1) ?? 0.5;
      vi.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? last);
      return (await import('./free-port.js')).freePort;
    }

    afterEach(() => vi.restoreAllMocks());

    it('passes over a port something listens on', async () => {
      const taken = portAt(0.3);
      const server = createServer();
      // Listened on here, or by another process already: taken either way.
      await new Promise<void>((resolve) =>
        server.once('error', () => resolve()).listen(taken, '127.0.0.1', resolve),
      );
      try {
        const pick = await freshFreePort([drawOf(taken), 0.6]);
        expect(await pick()).toBe(portAt(0.6));
      } finally {
        if (server.listening) await new Promise((resolve) => server.close(resolve));
      }
    });

    it('never hands out one port twice in a process (its server may not listen yet)', async () => {
      const pick = await freshFreePort([0.45, 0.45, 0.7]);
      const first = await pick();
      expect(first).toBe(portAt(0.45));
      expect(await pick()).toBe(portAt(0.7));
    });
  });
});
