import * as z from 'zod';
import { describeVariable, invalid, variable } from './variable.js';

/** Options of {@link list}. */
export interface ListOptions {
  /** Fewest items accepted. Defaults to 1 (set the variable, or give the list a default). */
  minItems?: number;
}

/**
 * A comma-separated list, items trimmed and empty items dropped: `a, b,c` -> `['a', 'b', 'c']`.
 * With an item kind each item is parsed by it: `list(url())`.
 */
export function list<T = string>(
  item?: z.ZodType<T, string>,
  options: ListOptions = {},
): z.ZodType<T[], string> {
  const { minItems = 1 } = options;
  const itemExpected = item ? (describeVariable(item)?.expected ?? 'valid items') : 'items';
  const expected = `a comma-separated list of ${itemExpected}${minItems > 1 ? ` (at least ${minItems})` : ''}`;
  return variable(expected, (raw) => {
    const parts = raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
    if (parts.length < minItems) return invalid(`a list of ${parts.length} items`);
    if (!item) return parts as T[];
    const values: T[] = [];
    for (const [index, part] of parts.entries()) {
      const parsed = item.safeParse(part);
      if (!parsed.success) return invalid(`a list whose item ${index + 1} is invalid`, `item ${index + 1}`);
      values.push(parsed.data);
    }
    return values;
  });
}
