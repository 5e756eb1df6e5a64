import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** The scrypt work factors of new password hashes (RFC 7914). */
export interface ScryptParameters {
  /** N, CPU and memory cost: a power of two, at least 1024. 32768 (2^15) is the default. */
  cost: number;
  /** r, block size. At least 1; 8 is the default. */
  blockSize: number;
  /** p, parallelization. From 1 to 16; 1 is the default. */
  parallelization: number;
}

/** The outcome of {@link PasswordHasher.verify}. */
export interface PasswordVerification {
  valid: boolean;
  /** True only for a valid password whose hash was made with other parameters than the current ones. */
  needsRehash: boolean;
}

interface ParsedHash {
  parameters: ScryptParameters;
  salt: Buffer;
  key: Buffer;
}

const saltBytes = 16;
const keyBytes = 32;
const minimumCost = 1024;
const maxParallelization = 16;
/** Bound of scrypt's working memory, 128 * N * r bytes: a setting cannot exhaust the process. */
const maxMemoryBytes = 256 * 1024 * 1024;

const defaultParameters: ScryptParameters = Object.freeze({ cost: 32_768, blockSize: 8, parallelization: 1 });

// PHC string format (https://github.com/P-H-C/phc-string-format): `ln` is log2(N); salt and key
// are base64 without padding.
const phcPattern =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,4}),p=(\d{1,2})\$([A-Za-z0-9+/]{22,86})\$([A-Za-z0-9+/]{43})$/;

const isInteger = (value: number, min: number) => Number.isSafeInteger(value) && value >= min;

/** Why `parameters` are not usable, or undefined when they are. Never holds anything secret. */
function parameterProblem({ cost, blockSize, parallelization }: ScryptParameters): string | undefined {
  if (!isInteger(cost, minimumCost) || !Number.isInteger(Math.log2(cost))) {
    return `scrypt cost N must be a power of two of at least ${minimumCost} (32768 = 2^15 recommended), got ${cost}`;
  }
  if (!isInteger(blockSize, 1)) {
    return `scrypt block size r must be an integer of at least 1, got ${blockSize}`;
  }
  if (!isInteger(parallelization, 1) || parallelization > maxParallelization) {
    return `scrypt parallelization p must be an integer from 1 to ${maxParallelization}, got ${parallelization}`;
  }
  if (128 * cost * blockSize > maxMemoryBytes) {
    return (
      `scrypt needs 128 * N * r bytes of memory, at most ${maxMemoryBytes / 1024 / 1024} MiB: ` +
      `N = ${cost} with r = ${blockSize} would take ${(128 * cost * blockSize) / 1024 / 1024} MiB`
    );
  }
  return undefined;
}

function scryptOptions({ cost, blockSize, parallelization }: ScryptParameters): ScryptOptions {
  // OpenSSL refuses to run above maxmem, which it compares with 128 * r * (N + p + 2) bytes.
  const maxmem = 128 * blockSize * (cost + parallelization + 2);
  return { N: cost, r: blockSize, p: parallelization, maxmem };
}

function deriveKey(password: string, salt: Buffer, parameters: ScryptParameters): Promise<Buffer> {
  // NFC: the same visible password can arrive as different code points depending on the
  // keyboard, input method or OS (`é` as U+00E9 or as `e` + U+0301). Normalising before
  // hashing makes it verify wherever it is typed (as RFC 8265's OpaqueString profile does).
  const secret = Buffer.from(password.normalize('NFC'), 'utf8');
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keyBytes, scryptOptions(parameters), (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

const base64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

function encode({ parameters, salt, key }: ParsedHash): string {
  const { cost, blockSize, parallelization } = parameters;
  return `$scrypt$ln=${Math.log2(cost)},r=${blockSize},p=${parallelization}$${base64(salt)}$${base64(key)}`;
}

/** The parts of a stored hash; undefined when it is not ours or its parameters are out of bounds. */
function parse(stored: string): ParsedHash | undefined {
  const match = phcPattern.exec(stored);
  if (!match) return undefined;
  const [, logCost, blockSize, parallelization, salt, key] = match;
  const parameters = {
    cost: 2 ** Number(logCost),
    blockSize: Number(blockSize),
    parallelization: Number(parallelization),
  };
  // A stored hash is data: one with absurd parameters must not be able to exhaust memory either.
  if (parameterProblem(parameters)) return undefined;
  const parsed = { parameters, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
  return parsed.salt.length >= saltBytes && parsed.key.length === keyBytes ? parsed : undefined;
}

const sameParameters = (a: ScryptParameters, b: ScryptParameters) =>
  a.cost === b.cost && a.blockSize === b.blockSize && a.parallelization === b.parallelization;

/**
 * Password hashes: scrypt (node:crypto, off the event loop) with a random 16-byte salt and a
 * 32-byte key, stored as a PHC string `$scrypt$ln=15,r=8,p=1$<salt>$<key>`. Verification takes
 * about the same time whether the account exists or not, and says when a hash should be
 * upgraded to the current parameters.
 */
export class PasswordHasher {
  /** N = 32768, r = 8, p = 1: 32 MiB and a few tens of milliseconds per hash. */
  static readonly defaultParameters: Readonly<ScryptParameters> = defaultParameters;

  private readonly parameters: ScryptParameters;
  private dummy: ParsedHash | undefined;

  /** Throws an `Error` saying which parameter is wrong and what is expected (a configuration error). */
  constructor(parameters: ScryptParameters = defaultParameters) {
    const problem = parameterProblem(parameters);
    if (problem) throw new Error(problem);
    this.parameters = { ...parameters };
  }

  /** A new hash of `password` with the current parameters, as a PHC string. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(saltBytes);
    const key = await deriveKey(password, salt, this.parameters);
    return encode({ parameters: this.parameters, salt, key });
  }

  /**
   * Checks `password` against `stored` in constant time. `stored` undefined (no such account) or
   * malformed is checked against a dummy hash of the current parameters, so it takes as long as a
   * real verification, and is never valid.
   */
  async verify(password: string, stored: string | undefined): Promise<PasswordVerification> {
    const parsed = stored === undefined ? undefined : parse(stored);
    const target = parsed ?? this.dummyHash();
    const key = await deriveKey(password, target.salt, target.parameters);
    const matches = timingSafeEqual(key, target.key);
    if (!parsed || !matches) return { valid: false, needsRehash: false };
    return { valid: true, needsRehash: !sameParameters(parsed.parameters, this.parameters) };
  }

  /**
   * A random salt and key under the current parameters: deriving against it costs what a real
   * verification costs, and no password can match it (nor is it ever accepted if one did).
   */
  private dummyHash(): ParsedHash {
    this.dummy ??= { parameters: this.parameters, salt: randomBytes(saltBytes), key: randomBytes(keyBytes) };
    return this.dummy;
  }
}
