import { describe, expect, it } from 'vitest';
import { peerAddress } from './peer-address.js';

describe('peerAddress', () => {
  it.each([
    ['ipv4:127.0.0.1:54321', '127.0.0.1'],
    ['10.0.0.7:5000', '10.0.0.7'],
    ['ipv6:[::ffff:10.0.0.7]:5000', '10.0.0.7'],
    ['[::ffff:a00:7]:5000', '10.0.0.7'],
    ['ipv6:[::1]:5000', '0:0:0:0::/64'],
    ['ipv6:[2001:db8:1:2:3:4:5:6]:443', '2001:db8:1:2::/64'],
    ['[2001:DB8:1:2::abcd]:443', '2001:db8:1:2::/64'],
    ['ipv6:[fe80::1%eth0]:5000', 'fe80:0:0:0::/64'],
    ['ipv6:[64:ff9b::192.0.2.33]:5000', '64:ff9b:0:0::/64'],
    ['unix:/run/user-service.sock', 'unix:/run/user-service.sock'],
    ['', ''],
  ])('counts %j as %j', (peer, address) => {
    expect(peerAddress(peer)).toBe(address);
  });

  it('puts the ports of one host, and the hosts of one IPv6 /64, together', () => {
    expect(peerAddress('ipv4:192.0.2.1:1000')).toBe(peerAddress('ipv4:192.0.2.1:2000'));
    expect(peerAddress('ipv4:192.0.2.1:1000')).not.toBe(peerAddress('ipv4:192.0.2.2:1000'));
    expect(peerAddress('ipv6:[2001:db8::1]:1')).toBe(peerAddress('ipv6:[2001:db8::ffff:2]:2'));
    expect(peerAddress('ipv6:[2001:db8::1]:1')).not.toBe(peerAddress('ipv6:[2001:db8:0:1::1]:1'));
  });
});
