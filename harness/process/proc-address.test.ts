import { describe, it, expect } from 'vitest';
import { decodeIpv4, decodeIpv6, formatIpv6 } from './proc-address.js';

describe('/proc/net addresses', () => {
  it.each([
    ['00000000', '0.0.0.0'],
    ['0100007F', '127.0.0.1'],
    ['0101A8C0', '192.168.1.1'],
    ['FFFFFFFF', '255.255.255.255'],
  ])('decodes IPv4 %s as %s', (hex, text) => {
    expect(decodeIpv4(hex)).toBe(text);
  });

  it.each([
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000001000000', '::1'],
    ['0000000000000000FFFF00000100007F', '::ffff:127.0.0.1'],
    ['0000000000000000FFFF000000000000', '::ffff:0.0.0.0'],
    ['000080FE00000000FF005002FEC3F4D2', 'fe80::250:ff:d2f4:c3fe'],
    ['B80D0120000000000000000001000000', '2001:db8::1'],
  ])('decodes IPv6 %s as %s', (hex, text) => {
    expect(decodeIpv6(hex)).toBe(text);
  });

  it('compresses the longest zero run, the first of equal ones, and never a single group', () => {
    const g = (...groups: number[]) => groups.flatMap((x) => [x >> 8, x & 0xff]);
    expect(formatIpv6(g(1, 0, 0, 2, 0, 0, 0, 3))).toBe('1:0:0:2::3');
    expect(formatIpv6(g(1, 0, 0, 2, 0, 0, 3, 4))).toBe('1::2:0:0:3:4');
    expect(formatIpv6(g(1, 0, 2, 3, 4, 5, 6, 7))).toBe('1:0:2:3:4:5:6:7');
    expect(formatIpv6(g(1, 2, 3, 4, 5, 6, 7, 0))).toBe('1:2:3:4:5:6:7:0');
    expect(formatIpv6(g(1, 0, 0, 0, 0, 0, 0, 0))).toBe('1::');
  });
});
