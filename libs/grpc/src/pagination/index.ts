// Pagination (AIP-158): page sizes resolved against a default and a maximum, cursors sealed
// into opaque, tamper-evident page tokens bound to the list request that issued them.
export { PageTokenCodec } from './page-token-codec.js';
export { resolvePageSize } from './resolve-page-size.js';
export {
  paginationDefaults,
  type PageSizeOptions,
  type PageTokenCodecOptions,
} from './pagination-options.js';
export { pageOf } from './page-of.js';
