import { decodeStatus } from '@platform/proto';
import { Code } from '../errors/code.js';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/platform-errors.js';
import type { PageSizeOptions } from './pagination-options.js';
import { resolvePageSize } from './resolve-page-size.js';

/** The google.rpc.Status a client decodes when `requested` is refused. */
function refusalOf(requested: number, options?: PageSizeOptions) {
  try {
    return { resolved: resolvePageSize(requested, options) };
  } catch (error) {
    if (error instanceof InvalidArgumentError) return decodeStatus(error.encodedStatus());
    throw error;
  }
}

function outOfRange(range: string, field = 'page_size') {
  return {
    code: Code.INVALID_ARGUMENT,
    message: `Invalid ${field}: must be ${range}`,
    unknownDetails: [],
    details: {
      errorInfo: { reason: 'PAGE_SIZE_INVALID', domain: '', metadata: {} },
      badRequest: {
        fieldViolations: [
          { field, description: `must be ${range}`, reason: 'OUT_OF_RANGE', localizedMessage: null },
        ],
      },
    },
  };
}

const defaultRange = 'an integer of 0 or more (0 means the default, 50; above 500 means 500)';
const rejectRange = 'an integer from 0 to 500 (0 means the default, 50)';

describe('resolvePageSize', () => {
  it('answers the default (50) for an unset page size (0)', () => {
    expect(resolvePageSize(0)).toBe(50);
  });

  it('answers the requested size from 1 up to the maximum (500)', () => {
    expect([1, 37, 500].map((requested) => resolvePageSize(requested))).toEqual([1, 37, 500]);
  });

  it('clamps a size above the maximum to the maximum (AIP-158 coercion)', () => {
    expect([501, 10_000, 2 ** 31 - 1].map((requested) => resolvePageSize(requested))).toEqual([
      500, 500, 500,
    ]);
  });

  it.each([-1, -500, Number.MIN_SAFE_INTEGER])('refuses the negative size %i', (requested) => {
    expect(refusalOf(requested)).toEqual(outOfRange(defaultRange));
  });

  it.each([1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
    'refuses the non-integer or unsafe size %s',
    (requested) => {
      expect(refusalOf(requested)).toEqual(outOfRange(defaultRange));
    },
  );

  it('names the configured field and sizes in the violation', () => {
    const options = { field: 'max_results', defaultSize: 10, maxSize: 20 };
    expect(refusalOf(-1, options)).toEqual(
      outOfRange('an integer of 0 or more (0 means the default, 10; above 20 means 20)', 'max_results'),
    );
  });
});

describe('resolvePageSize with configured sizes', () => {
  it('answers the configured default, accepts up to the configured maximum and clamps above it', () => {
    const options = { defaultSize: 10, maxSize: 100 };
    expect([0, 100, 101].map((requested) => resolvePageSize(requested, options))).toEqual([10, 100, 100]);
  });

  it('lowers the default to a maximum below 50', () => {
    expect(resolvePageSize(0, { maxSize: 20 })).toBe(20);
  });
});

describe('resolvePageSize in reject mode', () => {
  const reject: PageSizeOptions = { overMax: 'reject' };

  it('refuses the maximum + 1 with INVALID_ARGUMENT naming page_size and the range', () => {
    expect(refusalOf(501, reject)).toEqual(outOfRange(rejectRange));
  });

  it('still answers the default for 0 and the requested size within range', () => {
    expect([0, 500].map((requested) => resolvePageSize(requested, reject))).toEqual([50, 500]);
  });

  it.each([-1, 1.5, Number.POSITIVE_INFINITY])('refuses the size %s', (requested) => {
    expect(refusalOf(requested, reject)).toEqual(outOfRange(rejectRange));
  });

  it('names the configured field and range in the violation', () => {
    const options: PageSizeOptions = {
      field: 'max_results',
      defaultSize: 10,
      maxSize: 20,
      overMax: 'reject',
    };
    expect(refusalOf(21, options)).toEqual(
      outOfRange('an integer from 0 to 20 (0 means the default, 10)', 'max_results'),
    );
  });
});
describe('resolvePageSize with bad options', () => {
  it.each<{ options: PageSizeOptions; message: string }>([
    { options: { maxSize: 0 }, message: 'resolvePageSize: maxSize must be an integer >= 1, got 0' },
    { options: { maxSize: 2.5 }, message: 'resolvePageSize: maxSize must be an integer >= 1, got 2.5' },
    { options: { defaultSize: 0 }, message: 'resolvePageSize: defaultSize must be an integer >= 1, got 0' },
    { options: { defaultSize: -5 }, message: 'resolvePageSize: defaultSize must be an integer >= 1, got -5' },
    {
      options: { defaultSize: 30, maxSize: 20 },
      message: 'resolvePageSize: defaultSize (30) exceeds maxSize (20)',
    },
  ])('throws a RangeError for $options, whatever the request', ({ options, message }) => {
    expect(() => resolvePageSize(1, options)).toThrow(new RangeError(message));
    expect(() => resolvePageSize(0, options)).toThrow(new RangeError(message));
  });
});
