import { describe, expect, it } from 'vitest';
import { isIPv4, isIPv6Address, isLuhnValid, isNetmask, isValidIban } from './validators.ts';

describe('isLuhnValid', () => {
  it('accepts known test card numbers', () => {
    for (const n of [
      '4111111111111111',
      '5500000000000004',
      '378282246310005',
      '4222222222222',
      '4214450767981534243',
    ]) {
      expect(isLuhnValid(n)).toBe(true);
    }
  });
  it('rejects a changed last digit and a 19-digit run that fails the check', () => {
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isLuhnValid('1234567890123456789')).toBe(false);
  });
});

describe('isValidIban', () => {
  it('accepts valid IBANs of several countries', () => {
    for (const n of [
      'DE89370400440532013000',
      'GB82WEST12345698765432',
      'NL91ABNA0417164300',
      'AT863500068980674018',
    ]) {
      expect(isValidIban(n)).toBe(true);
    }
  });
  it('rejects a wrong check, a wrong length for the country, and an unknown country', () => {
    expect(isValidIban('DE89370400440532013001')).toBe(false);
    expect(isValidIban('DE8937040044053201300')).toBe(false);
    expect(isValidIban('XX89370400440532013000')).toBe(false);
  });
});

describe('IP checks', () => {
  it('range-checks IPv4 octets', () => {
    expect(isIPv4('192.168.0.1')).toBe(true);
    expect(isIPv4('256.1.1.1')).toBe(false);
    expect(isIPv4('1.2.3')).toBe(false);
  });
  it('accepts zero-padded IPv4 parts, but not a phone number written with dots', () => {
    expect(isIPv4('192.168.001.010')).toBe(true);
    expect(isIPv4('010.001.002.003')).toBe(true);
    expect(isIPv4('030.123.45.67')).toBe(false);
    expect(isIPv4('256.001.002.003')).toBe(false);
  });
  it('knows netmasks and IPv6 forms', () => {
    expect(isNetmask('255.255.255.0')).toBe(true);
    expect(isNetmask('192.168.0.1')).toBe(false);
    expect(isIPv6Address('2001:db8::1')).toBe(true);
    expect(isIPv6Address('::ffff:192.0.2.128')).toBe(true);
    expect(isIPv6Address('::')).toBe(false);
    expect(isIPv6Address('12:30:45')).toBe(false);
  });
});
