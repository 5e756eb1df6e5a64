import { isIPv4, isIPv6 } from 'node:net';

/** The 8 groups of an IPv6 address, as numbers (an embedded IPv4 tail becomes the last two). */
function ipv6Groups(address: string): number[] {
  // `::ffff:10.0.0.7`: the dotted tail is two groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  let hex = address;
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    hex = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = hex.split('::');
  const groups = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
}

/**
 * Who a grpc-js peer string stands for when counting failures: its address without the port
 * (`ipv4:10.0.0.7:5000` and `10.0.0.7:5000` are `10.0.0.7`), an IPv4-mapped IPv6 address as
 * IPv4, and other IPv6 addresses as their /64 network (`2001:db8:1:2::/64`), as a single host
 * commonly holds a whole /64. Anything else (`unix:/run/app.sock`) is kept as it is.
 */
export function peerAddress(peer: string): string {
  const withoutScheme = peer.replace(/^ipv[46]:/, '');
  const host =
    /^\[([^\]]+)\]:\d+$/.exec(withoutScheme)?.[1] ??
    /^([^:]+):\d+$/.exec(withoutScheme)?.[1] ??
    withoutScheme;
  if (isIPv4(host)) return host;
  const address = host.replace(/%.*$/, '').toLowerCase();
  if (!isIPv6(address)) return peer;
  const groups = ipv6Groups(address);
  const isMappedIpv4 = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (isMappedIpv4) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
