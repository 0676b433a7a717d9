import { isIPv6 } from 'node:net';

/** IBAN length per country (SWIFT IBAN registry); a country missing here is not accepted. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** True when `compact` (no spaces, upper case) is an IBAN of its country's length with a valid mod-97 check. */
export function isValidIban(compact: string): boolean {
  const length = IBAN_LENGTHS[compact.slice(0, 2)];
  if (length === undefined || compact.length !== length || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  let rest = 0;
  for (const ch of compact.slice(4) + compact.slice(0, 4)) {
    const code = ch.charCodeAt(0);
    // Letters count as two digits (A=10 … Z=35); fold digit by digit so no bignum is needed.
    rest = code >= 65 ? (rest * 100 + code - 55) % 97 : (rest * 10 + code - 48) % 97;
  }
  return rest === 1;
}

/** True when the digit string passes the Luhn check. */
export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * True for a dotted quad whose four parts are 0-255. Zero-padded parts count too, as routers and logs print them
 * (192.168.001.010, 010.001.002.003), but not a first part with a leading zero in a quad not padded throughout:
 * 030.123.45.67 is a Berlin phone number written with dots.
 */
export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return false;
  return !/^0\d/.test(parts[0] as string) || parts.every((p) => p.length === 3);
}

/** True for a netmask such as 255.255.255.0: it addresses no host, so it is not personal data. */
export function isNetmask(text: string): boolean {
  const bits = text
    .split('.')
    .map((p) => Number(p).toString(2).padStart(8, '0'))
    .join('');
  return /^1+0*$/.test(bits);
}

/** True for an IPv6 address other than the bare unspecified `::`. */
export function isIPv6Address(text: string): boolean {
  return text !== '::' && isIPv6(text);
}

/**
 * True when a digit string has the issuer prefix and length of a payment card scheme (Visa, Mastercard, Amex, Diners,
 * JCB, Discover, UnionPay, Maestro, Mir). Luhn alone passes one number in ten: a list of years ("2015 2016 2017 2018")
 * or an invoice number would be taken for a card.
 */
export function isCardShape(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  if (digits.startsWith('4')) return n === 13 || n === 16 || n === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16; // Mastercard
  if (p4 >= 2200 && p4 <= 2204) return n >= 16 && n <= 19; // Mir
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if ((p4 >= 3000 && p4 <= 3059) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 && n <= 19; // Diners
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
  // Discover, UnionPay and Maestro share the 6 range; Maestro also has 50 and 56-58.
  if (digits.startsWith('6') || p2 === 50 || (p2 >= 56 && p2 <= 58)) return n >= 12 && n <= 19;
  return false;
}
