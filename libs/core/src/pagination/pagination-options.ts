/** Options of {@link resolvePageSize}. */
export interface PageSizeOptions {
  /** Page size used when the request leaves `page_size` unset (0). Defaults to 50. */
  defaultSize?: number;
  /** Largest page size a request may ask for. Defaults to 500. */
  maxSize?: number;
  /** Request field named in the BadRequest field violation. Defaults to `page_size`. */
  field?: string;
  /**
   * What a request asking for more than `maxSize` gets: `clamp` (`maxSize` items, as AIP-158
   * says a list should coerce it) or `reject` (INVALID_ARGUMENT). Defaults to `clamp`.
   */
  overMax?: 'reject' | 'clamp';
}

/** Options of {@link PageTokenCodec}. */
export interface PageTokenCodecOptions {
  /**
   * AES-256-GCM key, exactly 32 bytes, shared by every instance of the service (tokens issued
   * by one are decoded by another). Keep it secret: whoever holds it can forge cursors.
   */
  key: Uint8Array;
  /** Tokens older than this many ms are refused as expired. Defaults to 24 h (86 400 000 ms). */
  maxAgeMs?: number;
  /** Current time, epoch milliseconds; for tests. Defaults to `Date.now`. */
  clock?: () => number;
}

/** Defaults, resolved in one place. */
export const paginationDefaults = {
  defaultSize: 50,
  maxSize: 500,
  pageSizeField: 'page_size',
  pageTokenField: 'page_token',
  maxAgeMs: 24 * 60 * 60 * 1000,
  /** Longest token accepted (and produced): a cursor is a position, never a payload. */
  maxTokenLength: 1024,
} as const;
