import { describe, expect, it } from 'vitest';
import { clientAddress, throttleSubject } from './client-address';

describe('client address for throttling', () => {
  it('unwraps IPv4-mapped IPv6 addresses', () => {
    expect(clientAddress({ ip: '::ffff:203.0.113.9' } as never)).toBe('203.0.113.9');
  });

  it('keeps IPv4 addresses whole', () => {
    expect(throttleSubject('203.0.113.9')).toBe('203.0.113.9');
  });

  it('counts an IPv6 client by its /64, however the address is written', () => {
    const subject = throttleSubject('2001:db8:aa:bb:1:2:3:4');
    expect(subject).toBe('2001:db8:aa:bb::/64');
    for (const sibling of [
      '2001:db8:aa:bb:ffff:ffff:ffff:ffff',
      '2001:0DB8:00aa:00bb::1',
      '2001:db8:aa:bb::',
      '2001:db8:aa:bb:0:0:1.2.3.4',
      'fe80::1%eth0'.replace('fe80::', '2001:db8:aa:bb::'),
    ]) {
      expect(throttleSubject(sibling)).toBe(subject);
    }
    expect(throttleSubject('2001:db8:aa:bc::1')).not.toBe(subject);
    expect(throttleSubject('::1')).toBe('0:0:0:0::/64');
  });
});
