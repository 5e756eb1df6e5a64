import { createHash, timingSafeEqual } from 'node:crypto';

/** A service principal's client credentials, as configured. */
export interface ServiceClientSecret {
  clientId: string;
  secret: string;
}

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/**
 * The service principals that may sign in with client credentials. Secrets are compared in
 * constant time: as SHA-256 digests (equal lengths whatever the secret's), and an unknown
 * client id is compared against a dummy digest so it costs the same.
 */
export class ServiceClients {
  private readonly digests = new Map<string, Buffer>();
  private readonly dummyDigest = digest('not a secret: compared only for unknown client ids');

  /** Throws an `Error` naming a repeated client id. */
  constructor(clients: readonly ServiceClientSecret[]) {
    for (const { clientId, secret } of clients) {
      if (this.digests.has(clientId)) throw new Error(`client id ${clientId} is configured twice`);
      this.digests.set(clientId, digest(secret));
    }
  }

  /** How many clients are configured. */
  get size(): number {
    return this.digests.size;
  }

  /** The client when `secret` is its secret, else undefined (unknown id or wrong secret alike). */
  verify(clientId: string, secret: string): { clientId: string } | undefined {
    const expected = this.digests.get(clientId);
    const matches = timingSafeEqual(digest(secret), expected ?? this.dummyDigest);
    return expected && matches ? { clientId } : undefined;
  }
}
