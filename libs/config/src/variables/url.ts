import type * as z from 'zod';
import { invalid, variable } from './variable.js';

/** Options of {@link url}. */
export interface UrlOptions {
  /** Accepted protocols with their colon, for example `['postgres:', 'postgresql:']`. Defaults to any. */
  protocols?: readonly string[];
}

/**
 * An absolute URL, kept as the string given (drivers parse it themselves):
 * `url({ protocols: ['postgres:', 'postgresql:'] })`.
 */
export function url(options: UrlOptions = {}): z.ZodType<string, string> {
  const protocols = options.protocols?.map((protocol) => protocol.toLowerCase());
  const expected = protocols?.length ? `a ${protocols[0]?.replace(/:$/, '')}:// URL` : 'an absolute URL';
  return variable(expected, (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      return invalid('a value that is not a URL');
    }
    if (protocols && !protocols.includes(parsed.protocol)) {
      return invalid(`a URL with protocol "${parsed.protocol}"`);
    }
    return raw;
  });
}
