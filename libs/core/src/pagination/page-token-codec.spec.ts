import { decodeStatus } from '@platform/proto';
import { Code } from '../errors/code.js';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/platform-errors.js';
import { PageTokenCodec } from './page-token-codec.js';
import { paginationDefaults } from './pagination-options.js';

const key = Buffer.alloc(32, 7);
const scope = 'ListOrders?status=PENDING';
const cursor = { createTime: 1_764_000_000_000, id: 'order-secret-17' };
const issuedAt = 1_764_400_000_000;
const hourMs = 60 * 60 * 1000;

function codecAt(now: { ms: number }, options: { key?: Uint8Array; maxAgeMs?: number } = {}) {
  return new PageTokenCodec({ key, ...options, clock: () => now.ms });
}

/** The google.rpc.Status a client decodes for what `decode` threw. */
function refusalOf(decode: () => unknown) {
  let thrown: unknown;
  try {
    decode();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof InvalidArgumentError)) throw new Error(`expected a refusal, got ${String(thrown)}`);
  return decodeStatus(thrown.encodedStatus());
}

const invalid = {
  code: Code.INVALID_ARGUMENT,
  message: 'Invalid page_token: must be a next_page_token returned by the same list request',
  unknownDetails: [],
  details: {
    errorInfo: { reason: 'PAGE_TOKEN_INVALID', domain: '', metadata: {} },
    badRequest: {
      fieldViolations: [
        {
          field: 'page_token',
          description: 'must be a next_page_token returned by the same list request',
          reason: 'INVALID',
          localizedMessage: null,
        },
      ],
    },
  },
};

function flipByte(token: string, index: number): string {
  const bytes = Buffer.from(token, 'base64url');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

/** A token sealed as the codec does, around any plaintext (to reach the checks behind the tag). */
function sealRaw(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.concat([Buffer.of(1), Buffer.from(scope)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(1), iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

describe('encode then decode', () => {
  it('gives back the cursor within the same scope', () => {
    const codec = codecAt({ ms: issuedAt });
    expect(codec.decode(codec.encode(cursor, scope), scope)).toEqual(cursor);
  });

  it('decodes on another instance holding the same key', () => {
    const now = { ms: issuedAt };
    expect(codecAt(now).decode(codecAt(now).encode(cursor, scope), scope)).toEqual(cursor);
  });

  it('makes an opaque base64url token that hides the cursor and differs on every call', () => {
    const codec = codecAt({ ms: issuedAt });
    const first = codec.encode(cursor, scope);
    expect(first).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(first, 'base64url').toString('latin1')).not.toContain('order-secret');
    expect(codec.encode(cursor, scope)).not.toBe(first);
  });
});

describe('encode', () => {
  it('refuses a cursor whose token would exceed the maximum length with a RangeError', () => {
    const codec = codecAt({ ms: issuedAt });
    expect(() => codec.encode({ id: 'x'.repeat(paginationDefaults.maxTokenLength) }, scope)).toThrow(
      RangeError,
    );
  });
});

describe('decode', () => {
  const now = { ms: issuedAt };
  const codec = codecAt(now);
  const token = codec.encode(cursor, scope);
  const length = Buffer.from(token, 'base64url').length;

  it('answers undefined for an empty token (the first page)', () => {
    expect(codec.decode('', scope)).toBeUndefined();
  });

  it.each([
    { part: 'version byte', from: 0, to: 1 },
    { part: 'IV', from: 1, to: 13 },
    { part: 'ciphertext', from: 13, to: length - 16 },
    { part: 'auth tag', from: length - 16, to: length },
  ])(
    'refuses a token with one flipped byte in the $part with INVALID_ARGUMENT on page_token',
    ({ from, to }) => {
      for (let index = from; index < to; index += 1) {
        expect(refusalOf(() => codec.decode(flipByte(token, index), scope))).toEqual(invalid);
      }
    },
  );

  it.each([
    { cut: 'the last byte', bytes: length - 1 },
    { cut: 'the tag', bytes: length - 16 },
    { cut: 'all but the version and IV', bytes: 13 },
    { cut: 'all but the version', bytes: 1 },
  ])('refuses a token truncated by $cut', ({ bytes }) => {
    const truncated = Buffer.from(token, 'base64url').subarray(0, bytes).toString('base64url');
    expect(refusalOf(() => codec.decode(truncated, scope))).toEqual(invalid);
  });

  it('refuses a token cut by one character', () => {
    expect(refusalOf(() => codec.decode(token.slice(0, -1), scope))).toEqual(invalid);
  });

  it('refuses a token sealed with another key', () => {
    const other = codecAt(now, { key: Buffer.alloc(32, 8) });
    expect(refusalOf(() => other.decode(token, scope))).toEqual(invalid);
  });

  it.each(['ListUsers', 'ListOrders?status=CONFIRMED', 'ListOrders?status=PENDING ', ''])(
    'refuses a token replayed with another scope (%j)',
    (otherScope) => {
      expect(refusalOf(() => codec.decode(token, otherScope))).toEqual(invalid);
    },
  );

  it('refuses a token longer than the maximum, even an authentic one', () => {
    const authentic = sealRaw(JSON.stringify({ issuedAt, cursor: { id: 'x'.repeat(800) } }));
    expect(authentic.length).toBeGreaterThan(paginationDefaults.maxTokenLength);
    expect(refusalOf(() => codec.decode(authentic, scope))).toEqual(invalid);
    const garbage = 'A'.repeat(paginationDefaults.maxTokenLength + 1);
    expect(refusalOf(() => codec.decode(garbage, scope))).toEqual(invalid);
  });

  it.each([
    'not a token',
    '%%%%',
    '====',
    'AAAA',
    `${token}=`,
    ` ${token}`,
    `${token}\n`,
    token.replace(/[A-Za-z0-9]/, '+'),
    '\u00e9t\u00e9',
  ])('refuses the garbage string %j', (garbage) => {
    expect(refusalOf(() => codec.decode(garbage, scope))).toEqual(invalid);
  });

  it.each(['42', 'null', '[]', '"cursor"', '{"issuedAt":1764400000000}', '{"cursor":{}}', 'not json'])(
    'refuses an authentic token whose payload %s is not a sealed page',
    (plaintext) => {
      expect(refusalOf(() => codec.decode(sealRaw(plaintext), scope))).toEqual(invalid);
    },
  );

  it('accepts a token sealed the documented way (version 1, IV, ciphertext, tag; version + scope as AAD)', () => {
    const sealed = sealRaw(JSON.stringify({ issuedAt, cursor }));
    expect(codec.decode(sealed, scope)).toEqual(cursor);
  });
});

describe('decode with an injected clock', () => {
  const now = { ms: issuedAt };
  const codec = codecAt(now, { maxAgeMs: hourMs });
  const token = codec.encode(cursor, scope);

  it('accepts a token exactly maxAgeMs old', () => {
    now.ms = issuedAt + hourMs;
    expect(codec.decode(token, scope)).toEqual(cursor);
  });

  it('refuses a token older than maxAgeMs as PAGE_TOKEN_EXPIRED on page_token', () => {
    now.ms = issuedAt + hourMs + 1;
    expect(refusalOf(() => codec.decode(token, scope))).toEqual({
      code: Code.INVALID_ARGUMENT,
      message: 'Invalid page_token: has expired; start again from the first page',
      unknownDetails: [],
      details: {
        errorInfo: { reason: 'PAGE_TOKEN_EXPIRED', domain: '', metadata: {} },
        badRequest: {
          fieldViolations: [
            {
              field: 'page_token',
              description: 'has expired; start again from the first page',
              reason: 'EXPIRED',
              localizedMessage: null,
            },
          ],
        },
      },
    });
  });

  it('expires tokens after 24 h by default', () => {
    const defaultAge = codecAt(now);
    now.ms = issuedAt;
    const fresh = defaultAge.encode(cursor, scope);
    now.ms = issuedAt + 24 * hourMs;
    expect(defaultAge.decode(fresh, scope)).toEqual(cursor);
    now.ms += 1;
    expect(refusalOf(() => defaultAge.decode(fresh, scope))?.details.errorInfo?.reason).toBe(
      'PAGE_TOKEN_EXPIRED',
    );
  });

  it('accepts a token issued up to a minute in the future (clock skew between instances)', () => {
    now.ms = issuedAt - 60_000;
    expect(codec.decode(token, scope)).toEqual(cursor);
  });

  it('refuses a token issued further in the future as invalid', () => {
    now.ms = issuedAt - 60_001;
    expect(refusalOf(() => codec.decode(token, scope))).toEqual(invalid);
  });
});

describe('the constructor', () => {
  it.each([0, 16, 31, 33, 64])('refuses a key of %i bytes with a RangeError', (bytes) => {
    expect(() => new PageTokenCodec({ key: Buffer.alloc(bytes) })).toThrow(
      new RangeError(`PageTokenCodec: key must be exactly 32 bytes (AES-256), got ${bytes}`),
    );
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses maxAgeMs %s with a RangeError',
    (maxAgeMs) => {
      expect(() => new PageTokenCodec({ key, maxAgeMs })).toThrow(RangeError);
    },
  );

  it('accepts a 32-byte Uint8Array that is not a Buffer', () => {
    const codec = new PageTokenCodec({ key: new Uint8Array(32) });
    expect(codec.decode(codec.encode(cursor, scope), scope)).toEqual(cursor);
  });
});
