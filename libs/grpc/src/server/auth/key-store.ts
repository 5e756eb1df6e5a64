import { importJWK, type CryptoKey, type JSONWebKeySet, type JWK, type KeyObject } from 'jose';
import { KeyObject as NodeKeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/** A public key given directly (not as a JWK), with the `kid` tokens name it by. */
export interface VerificationKey {
  readonly kid: string;
  /** A public `CryptoKey` or `KeyObject` (jose's key types). */
  readonly key: CryptoKey | KeyObject;
  /** The one algorithm this key may verify; when absent, any allowed algorithm its type fits. */
  readonly alg?: string;
}

/** A verification key, found by `kid`. */
export interface KeyEntry {
  readonly kid: string;
  /** The key's declared `alg`: a token must use exactly this one. */
  readonly alg: string | undefined;
  /** The key for a token signed with `alg`; throws when the key cannot verify that algorithm. */
  keyFor(alg: string): Promise<CryptoKey | KeyObject>;
}

/** Where a verifier finds keys. */
export interface KeyStore {
  /** The key with this `kid`, or `undefined`. Throws when the store cannot be read at all. */
  find(kid: string): Promise<KeyEntry | undefined>;
}

/** Thrown by {@link KeyEntry.keyFor} when the key's type does not fit the token's algorithm. */
export class KeyAlgorithmMismatch extends Error {
  constructor(kid: string, alg: string) {
    super(`key ${kid} cannot verify ${alg}`);
    this.name = 'KeyAlgorithmMismatch';
  }
}

const hashBits: Readonly<Record<string, string>> = { '256': 'SHA-256', '384': 'SHA-384', '512': 'SHA-512' };
const ecCurves: Readonly<Record<string, readonly [webCrypto: string, node: string]>> = {
  ES256: ['P-256', 'prime256v1'],
  ES384: ['P-384', 'secp384r1'],
  ES512: ['P-521', 'secp521r1'],
};

/** The asymmetric JWS algorithms a verifier may be configured with. */
export const supportedAlgorithms: ReadonlySet<string> = new Set([
  'EdDSA',
  'Ed25519',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
]);

/** Whether a public key can verify signatures of `alg` (type, curve and hash all fit). */
export function keyFitsAlgorithm(key: CryptoKey | KeyObject, alg: string): boolean {
  const family = alg.slice(0, 2);
  const hash = hashBits[alg.slice(2)];
  if (key instanceof NodeKeyObject) {
    if (key.type !== 'public') return false;
    const type = key.asymmetricKeyType;
    if (alg === 'EdDSA') return type === 'ed25519' || type === 'ed448';
    if (alg === 'Ed25519') return type === 'ed25519';
    if (ecCurves[alg]) return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === ecCurves[alg][1];
    if (family === 'RS' && hash) return type === 'rsa';
    if (family === 'PS' && hash) return type === 'rsa' || type === 'rsa-pss';
    return false;
  }
  const cryptoKey = key as {
    type?: string;
    algorithm?: { name?: string; namedCurve?: string; hash?: { name?: string } };
  };
  if (cryptoKey.type !== 'public' || !cryptoKey.algorithm) return false;
  const { name, namedCurve, hash: keyHash } = cryptoKey.algorithm;
  if (alg === 'EdDSA') return name === 'Ed25519' || name === 'Ed448';
  if (alg === 'Ed25519') return name === 'Ed25519';
  if (ecCurves[alg]) return name === 'ECDSA' && namedCurve === ecCurves[alg][0];
  if (family === 'RS' && hash) return name === 'RSASSA-PKCS1-v1_5' && keyHash?.name === hash;
  if (family === 'PS' && hash) return name === 'RSA-PSS' && keyHash?.name === hash;
  return false;
}

function jwkEntry(jwk: JWK & { kid: string }): KeyEntry {
  const imported = new Map<string, Promise<CryptoKey | KeyObject>>();
  return {
    kid: jwk.kid,
    alg: jwk.alg,
    keyFor: (alg) => {
      let key = imported.get(alg);
      if (!key) {
        key = importJWK({ ...jwk, alg }, alg).then(
          (result) => {
            if (result instanceof Uint8Array || !keyFitsAlgorithm(result, alg)) {
              throw new KeyAlgorithmMismatch(jwk.kid, alg);
            }
            return result;
          },
          () => {
            throw new KeyAlgorithmMismatch(jwk.kid, alg);
          },
        );
        // Only keys that imported are kept; a mismatch is cheap to find again.
        key.then(undefined, () => imported.delete(alg));
        imported.set(alg, key);
      }
      return key;
    },
  };
}

function keyEntry(key: VerificationKey): KeyEntry {
  return {
    kid: key.kid,
    alg: key.alg,
    keyFor: async (alg) => {
      if (!keyFitsAlgorithm(key.key, alg)) throw new KeyAlgorithmMismatch(key.kid, alg);
      return key.key;
    },
  };
}

/**
 * Reads a JSON Web Key Set into entries by `kid`. Every key needs a `kid`; symmetric (`oct`)
 * and private keys are refused (a JWKS handed to a verifier is public); keys whose `use` is
 * not `sig` are skipped.
 */
export function parseJwks(jwks: unknown): Map<string, KeyEntry> {
  const keys = (jwks as JSONWebKeySet | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('a JWKS needs a "keys" array');
  const entries = new Map<string, KeyEntry>();
  for (const jwk of keys as JWK[]) {
    if (typeof jwk !== 'object' || jwk === null) throw new Error('a JWKS key must be an object');
    if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new Error('every JWKS key needs a "kid"');
    if (jwk.kty === 'oct' || 'k' in jwk)
      throw new Error(`JWKS key ${jwk.kid} is symmetric: only public keys`);
    if ('d' in jwk) throw new Error(`JWKS key ${jwk.kid} is a private key: only public keys`);
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (entries.has(jwk.kid)) throw new Error(`JWKS has two keys with kid ${jwk.kid}`);
    entries.set(jwk.kid, jwkEntry(jwk as JWK & { kid: string }));
  }
  return entries;
}

/** Keys fixed at construction: a JWKS object or a list of keys. */
export class StaticKeyStore implements KeyStore {
  private readonly entries: Map<string, KeyEntry>;

  constructor(source: { jwks: JSONWebKeySet } | { keys: readonly VerificationKey[] }) {
    if ('jwks' in source) {
      this.entries = parseJwks(source.jwks);
      return;
    }
    this.entries = new Map();
    for (const key of source.keys) {
      if (!key.kid) throw new Error('every verification key needs a kid');
      if (this.entries.has(key.kid)) throw new Error(`two verification keys have kid ${key.kid}`);
      const type = (key.key as { type?: string }).type;
      if (type !== 'public') throw new Error(`verification key ${key.kid} must be a public key`);
      this.entries.set(key.kid, keyEntry(key));
    }
  }

  async find(kid: string): Promise<KeyEntry | undefined> {
    return this.entries.get(kid);
  }
}

/**
 * Keys from a JWKS file, so keys rotate without a restart. The file is checked for changes
 * (`stat`: mtime, size, inode) at most once per `refreshIntervalMs`, on use, and read again
 * when it changed; a token naming an unknown `kid` forces a re-read, also at most once per
 * interval (so garbage tokens cannot make the server read the file on every call). A file that
 * cannot be read or parsed leaves the previous keys in place; until the first good read, every
 * lookup throws (the call fails INTERNAL: a misconfigured server, not a bad token).
 */
export class JwksFileKeyStore implements KeyStore {
  private entries = new Map<string, KeyEntry>();
  private loaded = false;
  private signature: string | undefined;
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  private lastReadAt = Number.NEGATIVE_INFINITY;
  private lastError: unknown;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly refreshIntervalMs: number,
    private readonly clock: () => number,
  ) {}

  async find(kid: string): Promise<KeyEntry | undefined> {
    if (this.clock() - this.lastCheckAt >= this.refreshIntervalMs) await this.once(() => this.check(false));
    // A lookup during another's read waits for it (the first burst of calls after a start).
    else if (this.pending) await this.pending;
    let entry = this.entries.get(kid);
    if (!entry && this.loaded && this.clock() - this.lastReadAt >= this.refreshIntervalMs) {
      await this.once(() => this.check(true));
      entry = this.entries.get(kid);
    }
    if (!this.loaded) {
      throw new Error(`JWKS file ${this.path} could not be loaded`, { cause: this.lastError });
    }
    return entry;
  }

  /** Runs one refresh at a time; concurrent lookups wait for the same one. */
  private async once(task: () => Promise<void>): Promise<void> {
    this.pending ??= task().finally(() => {
      this.pending = undefined;
    });
    await this.pending;
  }

  private async check(force: boolean): Promise<void> {
    this.lastCheckAt = this.clock();
    try {
      const stats = await stat(this.path);
      const signature = `${stats.mtimeMs}:${stats.size}:${stats.ino}`;
      if (!force && this.loaded && signature === this.signature) return;
      this.lastReadAt = this.clock();
      const entries = parseJwks(JSON.parse(await readFile(this.path, 'utf8')));
      this.entries = entries;
      this.signature = signature;
      this.loaded = true;
      this.lastError = undefined;
    } catch (error) {
      this.lastError = error;
    }
  }
}
