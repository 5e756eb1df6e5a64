import { Channel, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';

interface PooledChannel {
  readonly channel: Channel;
  users: number;
}

const channels = new Map<string, PooledChannel>();
const credentialIds = new WeakMap<ChannelCredentials, number>();
let nextCredentialId = 0;

function keyOf(target: string, credentials: ChannelCredentials, options: ChannelOptions): string {
  let credentialId = credentialIds.get(credentials);
  if (credentialId === undefined) credentialIds.set(credentials, (credentialId = nextCredentialId++));
  const sortedOptions = Object.entries(options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([target, credentialId, sortedOptions]);
}

/** A share of a pooled channel; `release` gives it back, closing the channel with the last share. */
export interface ChannelLease {
  readonly channel: Channel;
  release(): void;
}

/**
 * One grpc-js channel (one HTTP/2 connection per backend) per target, credentials and
 * options, shared by every client of that target: connections are expensive, and calls
 * multiplex over one.
 */
export function acquireChannel(
  target: string,
  credentials: ChannelCredentials,
  options: ChannelOptions,
): ChannelLease {
  const key = keyOf(target, credentials, options);
  let pooled = channels.get(key);
  if (!pooled) channels.set(key, (pooled = { channel: new Channel(target, credentials, options), users: 0 }));
  pooled.users += 1;
  const entry = pooled;
  let released = false;
  return {
    channel: entry.channel,
    release() {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      channels.delete(key);
      entry.channel.close();
    },
  };
}
