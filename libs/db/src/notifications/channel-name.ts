/**
 * What a channel may be called: a lower-case PostgreSQL identifier, so `LISTEN`, `pg_notify` and
 * the notifications received all agree on one spelling, and no name can carry SQL.
 */
const channelNamePattern = /^[a-z_][a-z0-9_]*$/;
/** PostgreSQL truncates longer identifiers (NAMEDATALEN - 1), and `pg_notify` refuses them. */
const maxChannelNameLength = 63;

/** Throws a TypeError unless `channel` is a valid channel name (`^[a-z_][a-z0-9_]*$`, at most 63 characters). */
export function assertChannelName(channel: string): void {
  if (
    typeof channel !== 'string' ||
    !channelNamePattern.test(channel) ||
    channel.length > maxChannelNameLength
  ) {
    throw new TypeError(
      `invalid notification channel ${JSON.stringify(channel)}: expected ^[a-z_][a-z0-9_]*$, at most ${maxChannelNameLength} characters`,
    );
  }
}

/** The channel as a quoted identifier (it was validated: nothing to escape, and keywords such as `order` stay names). */
export function quotedChannel(channel: string): string {
  assertChannelName(channel);
  return `"${channel}"`;
}
