// The order service without a user service (nothing listens at its address): enough for calls
// refused before any handler (validation, auth, wire-level checks).
import { preparePglite } from '@platform/db/testing';
import { createTestIssuer, freePort } from '@platform/testing';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOrderServiceUnderTest, type OrderServiceUnderTest } from './order-stack.js';

export interface OrderServiceAlone extends OrderServiceUnderTest {
  /** A token for a new user id, signed with a key the service trusts. */
  signToken(): Promise<string>;
}

/** Starts the order service on in-memory PGlite; `stop()` also removes its key folder. */
export async function startOrderServiceAlone(env: Record<string, string> = {}): Promise<OrderServiceAlone> {
  const dir = await mkdtemp(join(tmpdir(), 'order-service-alone-'));
  try {
    const issuer = await createTestIssuer();
    await issuer.writeJwks(join(dir, 'jwks.json'));
    const service = await startOrderServiceUnderTest({
      database: { inMemory: true, pglite: { loadDataDir: await preparePglite() } },
      userServiceAddress: `127.0.0.1:${await freePort()}`,
      jwksFile: join(dir, 'jwks.json'),
      clientSecret: randomBytes(24).toString('base64url'),
      env,
    });
    return {
      ...service,
      signToken: () => issuer.sign({ subject: crypto.randomUUID() }),
      async stop() {
        await service.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
