import { readOrCreateFile } from '@platform/config';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import { readFile } from 'node:fs/promises';

/** The algorithm of the keys this service generates: Ed25519 signatures, short and fast to verify. */
export const signingAlgorithm = 'EdDSA';

/** A private signing key and what verifiers need of it. */
export interface SigningKey {
  /** JWK thumbprint (RFC 7638) of the public key: stable, and never names two keys. */
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  /** The public half as a JWK with `kid`, `alg` and `use: sig`, as published in the JWKS. */
  readonly publicJwk: JWK & { kid: string; alg: string };
}

/** Options of {@link loadSigningKey}. */
export interface LoadSigningKeyOptions {
  /** A private JWK file (mode 0600). */
  file: string;
  /**
   * Generate the key into `file` when there is none (local runs: keys are made at first start,
   * never committed). When false, a missing file is an error: production keys are provisioned.
   */
  create: boolean;
}

async function generatePrivateJwk(): Promise<Buffer> {
  const { privateKey } = await generateKeyPair(signingAlgorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return Buffer.from(`${JSON.stringify({ ...jwk, alg: signingAlgorithm, use: 'sig' }, null, 2)}\n`);
}

function parsePrivateJwk(content: Buffer, file: string): JWK {
  let jwk: unknown;
  try {
    jwk = JSON.parse(content.toString('utf8'));
  } catch {
    throw new Error(`${file} is not JSON: expected a private JWK`);
  }
  const candidate = jwk as JWK;
  if (
    typeof jwk !== 'object' ||
    jwk === null ||
    typeof candidate.kty !== 'string' ||
    typeof candidate.d !== 'string'
  ) {
    throw new Error(`${file} is not a private JWK (expected "kty" and the private part "d")`);
  }
  return candidate;
}

/**
 * Loads the private key that signs access tokens, generating it at first start when `create`
 * is set. The `kid` is derived from the public key, so rotating the key (a new file) rotates
 * the `kid` and verifiers holding the old set look the new key up.
 */
export async function loadSigningKey(
  options: LoadSigningKeyOptions,
): Promise<{ key: SigningKey; created: boolean }> {
  const { content, created } = options.create
    ? await readOrCreateFile(options.file, generatePrivateJwk)
    : { content: await readFile(options.file), created: false };
  const privateJwk = parsePrivateJwk(content, options.file);
  const alg = privateJwk.alg ?? signingAlgorithm;
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK(privateJwk, alg)) as CryptoKey;
  } catch (error) {
    throw new Error(`${options.file} holds a key that cannot sign ${alg}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // The public JWK is the private one without its private members.
  const {
    d: _d,
    p: _p,
    q: _q,
    dp: _dp,
    dq: _dq,
    qi: _qi,
    oth: _oth,
    key_ops: _ops,
    ext: _ext,
    ...publicPart
  } = privateJwk;
  const kid = await calculateJwkThumbprint(publicPart);
  return { key: { kid, alg, privateKey, publicJwk: { ...publicPart, kid, alg, use: 'sig' } }, created };
}
