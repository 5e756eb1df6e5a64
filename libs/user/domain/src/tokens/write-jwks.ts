import type { JSONWebKeySet } from 'jose';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SigningKey } from './signing-key.js';

/** The public key set of `keys`, as verifiers read it. */
export function jwksOf(keys: readonly Pick<SigningKey, 'publicJwk'>[]): JSONWebKeySet {
  return { keys: keys.map((key) => ({ ...key.publicJwk })) };
}

/**
 * Publishes the public keys where the other services' JwtVerifier reads them (`jwksFile`).
 * Written to a temporary file and renamed, so a reader never sees half a set. Public keys
 * only: the file is world-readable (0644).
 */
export async function writeJwks(file: string, keys: readonly Pick<SigningKey, 'publicJwk'>[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(jwksOf(keys), null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, file);
}
