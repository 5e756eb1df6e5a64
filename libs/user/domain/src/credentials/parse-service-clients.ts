import { userFieldLimits } from '../users/user-request-validators.js';
import type { ServiceClientSecret } from './service-clients.js';

const clientIdPattern = /^[a-z][a-z0-9-]{0,62}$/;
/** 24 characters of a random base64 secret are 144 bits. */
const minimumSecretLength = 24;
const maximumSecretLength = userFieldLimits.credentialMaxLength;

/**
 * One entry's client, or what is wrong with it (never quoting the secret). `seen` maps the
 * client ids of earlier entries to their positions.
 */
function parseEntry(
  entry: string,
  position: number,
  seen: Map<string, number>,
): ServiceClientSecret | string {
  if (!entry) return `entry ${position} is empty`;
  const colon = entry.indexOf(':');
  if (colon < 0) return `entry ${position} is not of the form <client id>:<secret>`;
  const clientId = entry.slice(0, colon).trim();
  const secret = entry.slice(colon + 1).trim();
  if (!clientIdPattern.test(clientId)) {
    return `entry ${position}: the client id must be lowercase letters, digits and '-', starting with a letter, at most 63 characters`;
  }
  // An id as long as a secret may be one, written in the wrong place: it is not quoted.
  const named =
    clientId.length < minimumSecretLength ? `entry ${position} (${clientId})` : `entry ${position}`;
  const first = seen.get(clientId);
  if (first !== undefined) return `${named} repeats the client id of entry ${first}`;
  seen.set(clientId, position);
  const length = [...secret].length;
  if (length < minimumSecretLength) {
    return `${named}: the secret must be at least ${minimumSecretLength} characters, got ${length}`;
  }
  if (length > maximumSecretLength) {
    return `${named}: the secret must be at most ${maximumSecretLength} characters, got ${length}`;
  }
  if (/\s/.test(secret)) return `${named}: the secret must not contain whitespace`;
  return { clientId, secret };
}

/**
 * Parses service client credentials, `order-service:<secret>,fulfillment-worker:<secret>`:
 * entries separated by commas, each a client id (lowercase letters, digits and `-`, starting
 * with a letter, at most 63 characters), a colon and a secret of 24 to 1024 characters without
 * whitespace or commas. Whitespace around entries and their parts is ignored; blank text means
 * no clients.
 *
 * Throws an `Error` listing every bad entry by position, and by client id when it is well formed
 * and shorter than a secret. Its message never holds any part of a secret, since it becomes a
 * configuration error that is printed and logged: a malformed client id, or one as long as a
 * secret, is not quoted, as it may be a secret pasted in the wrong place.
 */
export function parseServiceClients(text: string): ServiceClientSecret[] {
  if (!text.trim()) return [];
  const clients: ServiceClientSecret[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of text.split(',').entries()) {
    const parsed = parseEntry(entry.trim(), index + 1, seen);
    if (typeof parsed === 'string') problems.push(parsed);
    else clients.push(parsed);
  }
  if (problems.length) throw new Error(`expected <client id>:<secret>[,…]: ${problems.join('; ')}`);
  return clients;
}
