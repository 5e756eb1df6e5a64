/**
 * Metadata keys whose values never go to logs or spans, whatever an allowlist says: credentials,
 * and binary (`-bin`) values, which carry serialized messages such as google.rpc.Status.
 */
const credentialKeys: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

export function isSensitiveMetadataKey(key: string): boolean {
  const normalized = key.toLowerCase();
  return credentialKeys.has(normalized) || normalized.endsWith('-bin');
}

/** The allowlisted keys that may be recorded, lower-cased, sensitive ones removed. */
export function recordableMetadataKeys(allowlist: readonly string[]): readonly string[] {
  return [...new Set(allowlist.map((key) => key.toLowerCase()))].filter(
    (key) => !isSensitiveMetadataKey(key),
  );
}
