import { InvalidArgumentError } from '../errors/platform-errors.js';
import { paginationDefaults, type PageSizeOptions } from './pagination-options.js';

function checkedSize(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`resolvePageSize: ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/**
 * The number of items to return for a request's `page_size` (AIP-158): 0 (unset) means
 * `defaultSize`; one above `maxSize` is clamped to it (refused when `overMax` is `reject`); a
 * negative or non-integer size is refused with INVALID_ARGUMENT naming `field` and the allowed
 * range.
 */
export function resolvePageSize(requested: number, options: PageSizeOptions = {}): number {
  const maxSize = checkedSize('maxSize', options.maxSize ?? paginationDefaults.maxSize, 1);
  const defaultSize = checkedSize(
    'defaultSize',
    options.defaultSize ?? Math.min(paginationDefaults.defaultSize, maxSize),
    1,
  );
  if (defaultSize > maxSize) {
    throw new RangeError(`resolvePageSize: defaultSize (${defaultSize}) exceeds maxSize (${maxSize})`);
  }
  const field = options.field ?? paginationDefaults.pageSizeField;
  const clamp = options.overMax !== 'reject';
  if (requested === 0) return defaultSize;
  if (Number.isSafeInteger(requested) && requested > maxSize && clamp) return maxSize;
  if (Number.isSafeInteger(requested) && requested > 0 && requested <= maxSize) return requested;
  const range = clamp
    ? `an integer of 0 or more (0 means the default, ${defaultSize}; above ${maxSize} means ${maxSize})`
    : `an integer from 0 to ${maxSize} (0 means the default, ${defaultSize})`;
  throw new InvalidArgumentError(
    `Invalid ${field}: must be ${range}`,
    [{ field, description: `must be ${range}`, reason: 'OUT_OF_RANGE' }],
    { reason: 'PAGE_SIZE_INVALID' },
  );
}
