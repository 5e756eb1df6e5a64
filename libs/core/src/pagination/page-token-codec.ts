import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { InvalidArgumentError } from '../errors/platform-errors.js';
import { paginationDefaults, type PageTokenCodecOptions } from './pagination-options.js';

/**
 * Token layout, base64url without padding: version (1 byte) | IV | ciphertext | GCM tag. The
 * version byte and the scope are the additional authenticated data, so neither can be changed
 * without the tag failing. A new layout gets a new version byte.
 */
const layout = { version: 1, keyBytes: 32, ivBytes: 12, tagBytes: 16 } as const;
/** How far in the future `issuedAt` may lie (clocks of instances differ), in ms. */
const clockSkewMs = 60_000;

/** What is sealed in a token; the scope is bound as AAD, not stored. */
interface SealedPage {
  issuedAt: number;
  cursor: object;
}

function refusal(reason: 'PAGE_TOKEN_INVALID' | 'PAGE_TOKEN_EXPIRED'): InvalidArgumentError {
  const field = paginationDefaults.pageTokenField;
  const description =
    reason === 'PAGE_TOKEN_EXPIRED'
      ? 'has expired; start again from the first page'
      : 'must be a next_page_token returned by the same list request';
  return new InvalidArgumentError(
    `Invalid ${field}: ${description}`,
    [{ field, description, reason: reason === 'PAGE_TOKEN_EXPIRED' ? 'EXPIRED' : 'INVALID' }],
    { reason },
  );
}

function isSealedPage(value: unknown): value is SealedPage {
  const { issuedAt, cursor } = (value ?? {}) as Partial<SealedPage>;
  return (
    typeof value === 'object' &&
    Number.isFinite(issuedAt) &&
    typeof cursor === 'object' &&
    cursor !== null &&
    !Array.isArray(cursor)
  );
}

/**
 * Seals list cursors into opaque page tokens (AIP-158) and opens them again: AES-256-GCM, so a
 * token is confidential (the client cannot read the cursor) and tamper-evident (nor change it).
 * Each token is bound to a `scope`, the method plus the request's filter (`ListOrders?status=
 * PENDING`), and is refused with any other scope, so it cannot be replayed into another list.
 * Tokens expire after `maxAgeMs` (defaults to 24 h) and are at most
 * `paginationDefaults.maxTokenLength` characters. When a cursor's shape changes, change the
 * scope too: old tokens are then refused instead of decoded into the wrong shape.
 */
export class PageTokenCodec {
  private readonly key: KeyObject;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;

  /** @throws RangeError when `key` is not exactly 32 bytes or `maxAgeMs` is not positive. */
  constructor(options: PageTokenCodecOptions) {
    if (options.key.byteLength !== layout.keyBytes) {
      throw new RangeError(
        `PageTokenCodec: key must be exactly ${layout.keyBytes} bytes (AES-256), got ${options.key.byteLength}`,
      );
    }
    const maxAgeMs = options.maxAgeMs ?? paginationDefaults.maxAgeMs;
    if (!Number.isFinite(maxAgeMs) || maxAgeMs <= 0) {
      throw new RangeError(`PageTokenCodec: maxAgeMs must be a positive number of ms, got ${maxAgeMs}`);
    }
    this.key = createSecretKey(options.key);
    this.maxAgeMs = maxAgeMs;
    this.clock = options.clock ?? Date.now;
  }

  /**
   * The page token of `cursor` (a JSON-serializable object) within `scope`; a new random IV each
   * time, so equal cursors give different tokens.
   * @throws RangeError when the token would exceed `paginationDefaults.maxTokenLength`.
   */
  encode(cursor: object, scope: string): string {
    const iv = randomBytes(layout.ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: layout.tagBytes });
    cipher.setAAD(additionalData(scope));
    const sealed: SealedPage = { issuedAt: this.clock(), cursor };
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(sealed), 'utf8'), cipher.final()]);
    const token = Buffer.concat([Buffer.of(layout.version), iv, ciphertext, cipher.getAuthTag()]).toString(
      'base64url',
    );
    if (token.length > paginationDefaults.maxTokenLength) {
      throw new RangeError(
        `PageTokenCodec: the cursor makes a ${token.length}-character token, over ${paginationDefaults.maxTokenLength}`,
      );
    }
    return token;
  }

  /**
   * The cursor sealed in `token`, or `undefined` for '' (the first page).
   * @throws InvalidArgumentError on `page_token`, reason PAGE_TOKEN_INVALID, for anything but a
   * token of this key and scope (the same error whatever the cause), or PAGE_TOKEN_EXPIRED for
   * one older than `maxAgeMs`.
   */
  decode<T>(token: string, scope: string): T | undefined {
    if (token === '') return undefined;
    const sealed = this.open(token, scope);
    if (!isSealedPage(sealed)) throw refusal('PAGE_TOKEN_INVALID');
    const ageMs = this.clock() - sealed.issuedAt;
    if (ageMs < -clockSkewMs) throw refusal('PAGE_TOKEN_INVALID');
    if (ageMs > this.maxAgeMs) throw refusal('PAGE_TOKEN_EXPIRED');
    return sealed.cursor as T;
  }

  /** The parsed JSON sealed in `token`; refuses it when it is not one of this key and scope. */
  private open(token: string, scope: string): unknown {
    if (token.length > paginationDefaults.maxTokenLength) throw refusal('PAGE_TOKEN_INVALID');
    const bytes = Buffer.from(token, 'base64url');
    // Buffer skips characters outside the alphabet: only the canonical spelling is a token.
    if (bytes.toString('base64url') !== token || bytes.length <= 1 + layout.ivBytes + layout.tagBytes) {
      throw refusal('PAGE_TOKEN_INVALID');
    }
    if (bytes[0] !== layout.version) throw refusal('PAGE_TOKEN_INVALID');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(1, 1 + layout.ivBytes), {
        authTagLength: layout.tagBytes,
      });
      decipher.setAAD(additionalData(scope));
      decipher.setAuthTag(bytes.subarray(bytes.length - layout.tagBytes));
      const plaintext = Buffer.concat([
        decipher.update(bytes.subarray(1 + layout.ivBytes, bytes.length - layout.tagBytes)),
        decipher.final(),
      ]);
      return JSON.parse(plaintext.toString('utf8')) as unknown;
    } catch {
      throw refusal('PAGE_TOKEN_INVALID');
    }
  }
}

function additionalData(scope: string): Buffer {
  return Buffer.concat([Buffer.of(layout.version), Buffer.from(scope, 'utf8')]);
}
