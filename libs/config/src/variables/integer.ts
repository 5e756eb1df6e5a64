import type * as z from 'zod';
import { invalid, variable } from './variable.js';

/** Options of {@link integer}. */
export interface IntegerOptions {
  /** Smallest accepted value. Defaults to none. */
  min?: number;
  /** Largest accepted value. Defaults to none (but at most `Number.MAX_SAFE_INTEGER`). */
  max?: number;
}

function describeRange({ min, max }: IntegerOptions): string {
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
  if (min === 1) return 'a positive integer';
  if (min === 0) return 'a non-negative integer';
  if (min !== undefined) return `an integer of at least ${min}`;
  if (max !== undefined) return `an integer of at most ${max}`;
  return 'an integer';
}

/** A whole number, optionally bounded: `integer({ min: 0, max: 100 })`. */
export function integer(options: IntegerOptions = {}): z.ZodType<number, string> {
  const { min, max } = options;
  return variable(describeRange(options), (raw) => {
    if (!/^[-+]?\d+$/.test(raw)) return invalid('a value that is not an integer');
    const value = Number(raw);
    if (!Number.isSafeInteger(value)) return invalid('an integer too large');
    if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
      return invalid('an integer out of range');
    }
    return value;
  });
}

/** An integer of at least 1 (a count, a size): `positiveInt({ max: 1000 })`. */
export function positiveInt(options: Omit<IntegerOptions, 'min'> = {}): z.ZodType<number, string> {
  return integer({ ...options, min: 1 });
}
