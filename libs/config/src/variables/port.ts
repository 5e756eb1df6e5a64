import type * as z from 'zod';
import { invalid, variable } from './variable.js';

/** Options of {@link port}. */
export interface PortOptions {
  /** Accept `0` (the OS picks a free port), as tests do. Defaults to false. */
  allowZero?: boolean;
}

/** A TCP port number: `50051`. */
export function port(options: PortOptions = {}): z.ZodType<number, string> {
  const min = options.allowZero ? 0 : 1;
  return variable(`a TCP port (${min}-65535)`, (raw) => {
    if (!/^\d+$/.test(raw)) return invalid('a value that is not a whole number');
    const value = Number(raw);
    return value >= min && value <= 65_535 ? value : invalid('a number out of range');
  });
}
