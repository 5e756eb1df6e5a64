import type * as z from 'zod';
import { invalid, variable } from './variable.js';

/** Options of {@link duration}. Bounds are in milliseconds. */
export interface DurationOptions {
  /** Shortest accepted duration, in ms. Defaults to 0 ms. */
  minMs?: number;
  /** Longest accepted duration, in ms. Defaults to none. */
  maxMs?: number;
}

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `1500` -> `1500ms`, `10000` -> `10s`: the largest unit that divides the value. */
function formatMs(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms >= unitMs[unit] && ms % unitMs[unit] === 0) return `${ms / unitMs[unit]}${unit}`;
  }
  return `${ms}ms`;
}

function describe({ minMs = 0, maxMs }: DurationOptions): string {
  const form = 'a duration such as 500ms, 10s, 5m or 1h';
  if (maxMs !== undefined) return `${form}, from ${formatMs(minMs)} to ${formatMs(maxMs)}`;
  return minMs > 0 ? `${form}, at least ${formatMs(minMs)}` : form;
}

/**
 * A duration with a unit (`ms`, `s`, `m`, `h`; a bare number is milliseconds), parsed to whole
 * milliseconds: `10s` -> `10000`.
 */
export function duration(options: DurationOptions = {}): z.ZodType<number, string> {
  const { minMs = 0, maxMs } = options;
  return variable(describe(options), (raw) => {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(raw);
    if (!match) return invalid('a value that is not a duration');
    const unit = (match[2]?.toLowerCase() ?? 'ms') as keyof typeof unitMs;
    const ms = Math.round(Number(match[1]) * unitMs[unit]);
    if (!Number.isSafeInteger(ms)) return invalid('a duration too long');
    if (ms < minMs || (maxMs !== undefined && ms > maxMs)) return invalid('a duration out of range');
    return ms;
  });
}
