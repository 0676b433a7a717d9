import { describe, expect, it } from 'vitest';
import { createRedactor } from './redactor.ts';
import { ALL_PII_TYPES } from './types.ts';

const all = createRedactor({
  types: ALL_PII_TYPES,
  knownNames: ['Anna Schmidt', 'Anna', 'Jürgen Müller', 'Zoë Martin', 'Hans-Peter Krause', "Sarah O'Connor", 'Kathi'],
});

describe.each([
  ['email', 'Schreib an anna.schmidt@gmx.de!', 'Schreib an [email]!'],
  ['email with umlauts', 'Jürgen.Müller@posteo.de ist neu', '[email] ist neu'],
  ['obfuscated email', 'info[at]verein[dot]de', '[email]'],
  [
    'email with only the @ spelt out',
    'anna(at)gmx.de, anna [at] gmx.de, anna (at) gmx (dot) de, k.weber (at) freenet.de',
    '[email], [email], [email], [email]',
  ],
  [
    'email with the @ in curly or angle brackets, or every part spelt out in words',
    'anna {at} gmx.de, anna <at> gmx.de, anna {at} firma {dot} de, anna at gmx dot de, ANNA AT GMX DOT DE, anna dot schmidt at gmail dot com, k.weber at t-online punkt de',
    '[email], [email], [email], [email], [email], [email], [email]',
  ],
  [
    'email with spaces around the @',
    'anna.schmidt @ firma-example.de, kathi91 @ example.org, anna @ gmx.de',
    '[email], [email], [email]',
  ],
  ['email after a word and a spaced @', 'Kontakt @ anna.schmidt@gmx.de', 'Kontakt @ [email]'],
  [
    'email at a mail provider written in capitals, with a spaced @ or (AT)',
    'ANNA @ GMX.DE, Anna @ Gmx.de, anna @ Web.de, anna.schmidt (AT) web.de, ANNA (AT) GMX.DE',
    '[email], [email], [email], [email], [email]',
  ],
  ['phone +49', 'Tel +49 30 1234567.', 'Tel [phone].'],
  ['phone 0049 (0)', 'über 0049 (0)30 123456', 'über [phone]'],
  ['phone (0)30', 'Durchwahl (0)30 12345-67', 'Durchwahl [phone]'],
  ['phone mobile dash', 'Handy 0170-1234567', 'Handy [phone]'],
  ['phone mobile space', 'ruf 0151 23456789 an', 'ruf [phone] an'],
  ['phone country code in brackets', 'Tel. (+49) 170 1234567', 'Tel. [phone]'],
  ['phone 0049 in brackets', 'über (0049)170 1234567', 'über [phone]'],
  ['phone French', 'appelle le 06 12 34 56 78 ce soir', 'appelle le [phone] ce soir'],
  [
    'phone French with spaced hyphens (not a draw)',
    'appelle le 06 - 12 - 34 - 56 - 78 ou 01 - 45 - 23 - 11 - 09',
    'appelle le [phone] ou [phone]',
  ],
  ['phone Dutch mobile', 'bel 06-12345678', 'bel [phone]'],
  ['phone in two groups of four, not an ISSN', 'Büro 0317-8472', 'Büro [phone]'],
  ['a date is no phone', 'am 01.05.2024 und 1.5.2024', 'am 01.05.2024 und 1.5.2024'],
  ['phone UK', 'call +44 20 7946 0958', 'call [phone]'],
  ['phone US', 'call +1 (555) 123-4567 now', 'call [phone] now'],
  ['iban spaced', 'an DE89 3704 0044 0532 0130 00 bitte', 'an [iban] bitte'],
  ['iban compact', 'IBAN DE89370400440532013000', 'IBAN [iban]'],
  [
    'iban in lower case or with hyphens',
    'an de89 3704 0044 0532 0130 00, de89370400440532013000 oder DE89-3704-0044-0532-0130-00 bitte',
    'an [iban], [iban] oder [iban] bitte',
  ],
  [
    'numbers whose groups are split by no-break spaces',
    'Tel +49\u00A030\u00A01234567, 0170\u202F1234567, DE89\u00A03704\u00A00044\u00A00532\u00A00130\u00A000, 4111\u202F1111\u202F1111\u202F1111',
    'Tel [phone], [phone], [iban], [credit_card]',
  ],
  [
    'North American numbers with dots or spaces',
    'call +1 415.555.2671, (415) 555 2671 or 415.555.2671',
    'call [phone], [phone] or [phone]',
  ],
  [
    'North American numbers in three bare groups',
    'call me at 415 555 2671 tonight, or (212 555 0187)',
    'call me at [phone] tonight, or ([phone])',
  ],
  ['card spaced', 'Karte 4111 1111 1111 1111 weg', 'Karte [credit_card] weg'],
  ['card dashed', 'card 5500-0000-0000-0004', 'card [credit_card]'],
  ['19-digit card', 'Visa 4214 4507 6798 1534 243', 'Visa [credit_card]'],
  ['ipv4', 'ping 192.168.178.1 now', 'ping [ip] now'],
  [
    'zero-padded ipv4, and not as a phone number',
    'IP 010.001.002.003 gesperrt, Router 192.168.001.010, Kamera 192.168.1.020, Tel. 030.123.45.67',
    'IP [ip] gesperrt, Router [ip], Kamera [ip], Tel. [phone]',
  ],
  [
    'an ipv4 host address written with its prefix length',
    'Bitte 85.214.132.117/32 freigeben, Address = 10.66.66.2/24, Netz 10.0.0.0/8',
    'Bitte [ip]/32 freigeben, Address = [ip]/24, Netz 10.0.0.0/8',
  ],
  ['ipv6 compressed', 'host 2001:db8::ff00:42:8329 up', 'host [ip] up'],
  ['ipv6 loopback', 'nur ::1 geht', 'nur [ip] geht'],
  ['handle', 'Danke @anna_s!', 'Danke [handle]!'],
  ['handle after a dot that starts a word', 'Na .@anna_s, danke', 'Na .[handle], danke'],
  ['email at a country domain that is also a file extension', 'marko@firma.rs, anna@posteo.md', '[email], [email]'],
  [
    'two phone numbers in a row',
    'Tel 0170 1234567 / 030 1234567 oder 0170 1234567 0171 7654321',
    'Tel [phone] / [phone] oder [phone] [phone]',
  ],
  [
    'phone after a label and a dot or hyphen',
    'Tel.0170/1234567, Handy-0170 1234567, Telefon-030 1234567, Fax.030 1234567',
    'Tel.[phone], Handy-[phone], Telefon-[phone], Fax.[phone]',
  ],
  [
    'ipv6 after an address label and a colon or equals sign',
    'IP:2001:db8::1, ipv6:fe80::1, host=::1, Adresse:fe80::1ff:fe23:4567:890a',
    'IP:[ip], ipv6:[ip], host=[ip], Adresse:[ip]',
  ],
  ['ipv4 after a word that only ends like a context word', 'Endpunkt 85.214.132.117', 'Endpunkt [ip]'],
  [
    'ipv4 with a first part of 100 or more after a version word',
    'Nach dem Update 192.168.1.20 erreichbar, Firmware 172.16.0.1',
    'Nach dem Update [ip] erreichbar, Firmware [ip]',
  ],
  [
    'a phone number after a postcode',
    'PLZ 01067 0351 1234567, PLZ: 01067 - 01328 Tel 0351 1234567',
    'PLZ 01067 [phone], PLZ: 01067 - 01328 Tel [phone]',
  ],
  [
    'phone numbers in groups of two and with spaced hyphens',
    'Tel 06 12 34 56 78, 05361 - 12345, 0170 - 12 34 56, 0 30 / 12 34 56 78',
    'Tel [phone], [phone], [phone], [phone]',
  ],
  [
    'a phone number after a reference number, or after a word that only begins like a reference label',
    'Auftrag 0123-456789 / 0170 1234567, Kundenservice 0800 1234567, Ticket-Hotline 01806 570070, Telefonnummer des Auftrags: 0123-456789',
    'Auftrag 0123-456789 / [phone], Kundenservice [phone], Ticket-Hotline [phone], Telefonnummer des Auftrags: [phone]',
  ],
  [
    'phone numbers whose groups are joined by an en dash, as a word processor writes a spaced hyphen',
    'Handy 0170 – 1234567, Büro 030 – 123 456 78, Fax 0170–1234567, Tel. 0221 / 123 45 – 67',
    'Handy [phone], Büro [phone], Fax [phone], Tel. [phone]',
  ],
  ['fediverse handle', 'via @kathi@chaos.social', 'via [handle]'],
  [
    'handles in profile links',
    'youtube.com/@anna_s, https://mastodon.social/@kathi, medium.com/@anna/mein-post, https://mastodon.social/@kathi@chaos.social',
    'youtube.com/[handle], https://mastodon.social/[handle], medium.com/[handle]/mein-post, https://mastodon.social/[handle]',
  ],
  ['multi-word known name', 'Gestern Jürgen Müller getroffen', 'Gestern [name] getroffen'],
  ['known name with apostrophe', "Ask Sarah O'Connor today", 'Ask [name] today'],
  [
    'known name with the apostrophe a phone or a German keyboard types',
    'Ask Sarah O’Connor, SARAH O’CONNOR or Sarah O´Connor today',
    'Ask [name], [name] or [name] today',
  ],
  ['hyphenated known name', 'laut Hans-Peter Krause', 'laut [name]'],
  [
    'known names of two or more words in the genitive',
    "Anna Schmidts Hund, Jürgen Müllers Grill, Hans-Peter Krauses Büro, Anna Schmidt’s dog, Anna Schmidt's cat",
    "[name] Hund, [name] Grill, [name] Büro, [name]’s dog, [name]'s cat",
  ],
  [
    'known names of two or more words in upper case',
    'ANNA SCHMIDT, JÜRGEN MÜLLER, HANS-PETER KRAUSE',
    '[name], [name], [name]',
  ],
  [
    'a handle right after a hashtag',
    '#Berlin@anna_s, #tbt@kathi.w und #info@firma.de',
    '#Berlin[handle], #tbt[handle] und #[email]',
  ],
  [
    'profile links without an @',
    'twitter.com/anna_s, https://x.com/anna_s/status/123, www.instagram.com/anna.s/, facebook.com/anna.schmidt.123., t.me/anna_s, linkedin.com/in/anna-schmidt, facebook.com/profile.php?id=100012345678',
    'twitter.com/[handle], https://x.com/[handle]/status/123, www.instagram.com/[handle]/, facebook.com/[handle]., t.me/[handle], linkedin.com/in/[handle], facebook.com/profile.php?id=[handle]',
  ],
  [
    'an IBAN that a line break splits',
    'IBAN: DE89 3704 0044\n0532 0130 00\nDanke! DE05 2242 9069 7544\r\n8418 26, DE89\n37040044 0532013000',
    'IBAN: [iban]\nDanke! [iban], [iban]',
  ],
  [
    'a phone number on the line after letters and digits that are no IBAN',
    'Kennung DE12 3456 7890\n0170 1234567, DE89 3704 0044 0532 0130 00\n0170\n1234567',
    'Kennung DE12 3456 7890\n[phone], [iban]\n0170\n1234567',
  ],
  [
    'North American numbers with the long-distance 1',
    'call 1.800.555.0199, 1 800 555 0199 or 1 (800) 555-0199',
    'call [phone], [phone] or [phone]',
  ],
  [
    'a phone number in a WhatsApp chat link',
    'wa.me/491701234567, https://wa.me/491701234567?text=Hallo, https://api.whatsapp.com/send/?phone=%2B491701234567&text=Hi, whatsapp://send?text=Hi&phone=4917012345678',
    'wa.me/[phone], https://wa.me/[phone]?text=Hallo, https://api.whatsapp.com/send/?phone=[phone]&text=Hi, whatsapp://send?text=Hi&phone=[phone]',
  ],
  [
    'known names whose words a double space, a tab or a no-break space splits',
    'Anna\u00A0Schmidt, Anna  Schmidt, Anna\tSchmidt, JÜRGEN\u202FMÜLLER, Hans-Peter \u00A0Krause',
    '[name], [name], [name], [name], [name]',
  ],
  [
    'known names next to symbols or other scripts',
    'Gruß →Kathi, §Anna Schmidt×2, 中文Zoë Martin',
    'Gruß →[name], §[name]×2, 中文[name]',
  ],
])('redacts %s', (_label, input, expected) => {
  it(JSON.stringify(input), () => expect(all.redact(input)).toBe(expected));
});

describe.each([
  ['a 19-digit number failing Luhn', 'Auftrag 1234 5678 9012 3456 789 bitte angeben'],
  ['a card number failing Luhn', 'die 4111 1111 1111 1112 ist alt'],
  [
    'Luhn-valid numbers no card scheme issues (years, an invoice number)',
    'Saisons 2015 2016 2017 2018 waren top, Rechnung Nr. 3100000007919',
  ],
  [
    'opening hours and timetables',
    'Öffnungszeiten 08.00 - 12.00 Uhr, Mo-Fr 08.00-12.00 und 14.00-18.00 Uhr, Zug 07.45 - 09.12, Mo-Fr 08 - 12 / 14 - 18 Uhr',
  ],
  ['a date with a time or a year after it', 'Konzert Fr 08.03. 19.30 Uhr, am 08.03.2024 15.30 Uhr, am 08.03. 2024'],
  ['an IBAN failing mod-97', 'DE89 3704 0044 0532 0130 01 ist falsch'],
  ['an IBAN too short across a line break', 'DE89 3704 0044\n0532 ist falsch\nab12 3456\nabcd'],
  ['an IBAN of the wrong length', 'DE89 3704 0044 0532 0130 0 ist zu kurz'],
  [
    'lower-case and hyphenated codes that are no IBAN',
    'de89 3704 0044 0532 0130 01 ist falsch, Teil ab12-cdef-3456-7890, id 3f2a9c12-1b2c-4d5e-8f90-abcdef012345',
  ],
  [
    'numbers with no-break spaces that are no phone, card or IBAN',
    '12\u00A0345\u00A0678 Einwohner, 1\u202F299,00\u00A0€, am 01.05.2024\u00A012:00, 08.00\u00A0-\u00A012.00 Uhr, 4111\u00A01111\u00A01111\u00A01112',
  ],
  ['numbers in three dotted groups of other shapes', 'Version 1.2.3, 1.234.567.890 €, ISBN 978-3-16-148410-0'],
  ['dates and times', 'Am 12.03.2024 um 10:30 Uhr, bis 23:59:59'],
  ['a date with an hour after it', 'Termin 01.05.2024 12:00 Uhr, am 01.05.24 12 Uhr'],
  ['a long reference number in groups', 'Bestellung 0123 4567 8901 2345 und 3.14159265358'],
  ['date ranges', 'Urlaub vom 01.08.2024 - 15.08.2024, 01.05.2024-02.05.2024, From 05/01/2024 - 06/01/2024'],
  ['reference numbers with a group starting with 0', 'Bestellung 0123 4567 0890 1234, Rechnung 0815 2024 0001 2345'],
  [
    'version words at the end of a compound',
    'Firmwareversion 1.2.3.4, Sicherheitsupdate 5.10.2.7, Unterabschnitt 3.2.1.4',
  ],
  ['numbers after a word and a dot or hyphen', 'Nr.0123456789, /produkt-0123456789.html, Covid-0123 4567'],
  [
    'numbers after a word that ends like a phone label',
    'hotel-0123456789.html, iphone-0123456789, im Hotel.0170 1234567',
  ],
  ['hex and colons after other labels', 'Typ:ab::cd, MAC:00:1A:2B:3C:4D:5E:6F:70, Wert:cafe::babe'],
  ['prices', 'Kostet 1.299,00 EUR, Versand 4,95 €'],
  ['order numbers', 'Bestellnummer 302-4581190-7731524 und Nr. 0001234567'],
  [
    'three bare groups of digits that are no North American number, or after a reference label',
    '123 456 7890, 415 155 2671, Kundennr. 415 555 2671, 12 345 678 Einwohner',
  ],
  [
    'order, invoice and other reference numbers that have the shape of a phone number',
    'Auftrag 0123-456789, Auftragsnummer 0123-456789, Rechnungsnr. 0815-4711, Bestell-Nr.: 0123 456789, Kd.-Nr. 0123 456 789, Artikelnummer 0123456789012, Order no. 0123 456789, Invoice 0123 456789',
  ],
  ['version numbers in context', 'Update auf Version 1.2.3.4 und Firmware 5.10.2.7'],
  ['octets out of range', 'die 300.168.1.1 gibt es nicht'],
  ['network ranges and netmasks', '192.168.0.0/24 mit Maske 255.255.255.0'],
  ['e-mail-like file names', 'die Datei logo@2x.png'],
  ['@ used as "at"', 'Treffen @ Bahnhof, 2 @ 3,50 €, Zimmer 3@Haus B'],
  [
    'a word, a count or a price, a spaced @ and a site',
    'Tickets @ eventim.de, mehr @ heise.de, 3 @ haus.de, 2.50 @ shop.de, v1.2 @ github.com, logo @ 2x.png, kontakt(at)firma, Muster GmbH (AT) www.muster.at',
  ],
  [
    "a profile host's own pages, and other hosts",
    'x.com/search?q=berlin, x.com/i/status/1, twitter.com/hashtag/berlin, instagram.com/p/CxYz123/, instagram.com/explore/tags/x, facebook.com/groups/123, facebook.com/sharer/sharer.php?u=x, facebook.com/login.php, t.me/s/kanal, t.me/joinchat/AAAA, t.me/+AbCd, dropbox.com/s/abc, inbox.com/anna',
  ],
  [
    'numbers after a 1 that are no North American number',
    'Pop. 1 234 567 890, 1.123.456.7890, 1 123 456 7890, Build 1.2.3.4567, 1.800.55.0199',
  ],
  [
    'WhatsApp links without a phone number',
    'wa.me/qr/ABCDEF123, wa.me/message/XYZ, wa.me/12345, wa.me/1234567890123456789',
  ],
  [
    '"at" and "dot" as English words, and pronouns or verbs before a spelt-out address',
    'look at this dot com bubble, at the dot com peak, we are at home dot com, reach me at gmail dot com, sign up at web dot de, Treffen <at> Bahnhof, {at} und <a>',
  ],
  ['code annotations and scoped packages', '@Override und npm i @types/node'],
  [
    'package scopes and image sizes in links',
    'https://unpkg.com/@fontsource/roboto, cdn.jsdelivr.net/npm/@scope/pkg, node_modules/@babel/core, example.com/img/logo@2x.png, example.com/@2x.png',
  ],
  ['postcodes', '10115 Berlin, 01067 Dresden'],
  [
    'postcode ranges',
    'PLZ 01067 - 01328, PLZ 01067 - 14199, PLZ 10115 - 14199, PLZ-Bereich 01067-01328, Postleitzahlen: 01067/01328',
  ],
  [
    'lottery numbers',
    'Lottozahlen: 03 - 12 - 19 - 27 - 38 - 45, Lotto 03 12 19 27 38 45, Eurojackpot 05 - 12 - 19 - 27 - 38 und 03 - 07',
  ],
  ['small version and section numbers', 'Update 10.0.0.12, Kapitel 3.1.4.2, Update 2.4.1'],
  [
    'a version after "Update auf" or "Upgrade to"',
    'Firmware-Update auf 2.1.0.4 eingespielt, Update auf 10.0.0.12, Upgrade to 4.2.1.3, Update von 2.1.0.3',
  ],
  [
    'times, dates, draws, postcode ranges and ISSNs written with an en dash',
    'Öffnungszeiten 08.00 – 12.00 Uhr, Mo–Fr 08 – 12 / 14 – 18 Uhr, Urlaub 01.08.2024 – 15.08.2024, Lotto 03 – 12 – 19 – 27 – 38 – 45, PLZ 01067 – 01328, ISSN 0317–8471, Zug 07.45–09.12',
  ],
  ['ISSNs (a valid check digit)', 'Zeitschrift ISSN 0317-8471, Journal ISSN 0028-0836'],
  ['sums of numbers', '1200 + 3400 = 4600 und 12 + 345 + 6789'],
  ['MAC addresses and C++ scopes', '00:1A:2B:3C:4D:5E und std::vector'],
  [
    'names inside words, one-word names in other case, and mixed case',
    'Annaberg, Kathinka, Schmidtstraße, kathi, KATHI, Jürgen müller, jÜRGEN mÜLLER',
  ],
  [
    'a genitive s on a one-word name, and other endings',
    'Kathis Rad, Annas Hund, Jürgen Müllersen, Jürgen Müllerstraße',
  ],
  ['names joined to digits or underscores', 'Kathi2, 3Kathi und Anna_Schmidt'],
])('keeps %s', (_label, input) => {
  it(JSON.stringify(input), () => expect(all.redact(input)).toBe(input));
});

// These inputs took minutes where a pattern's work grew with the square of a token's length; in linear time they take
// milliseconds. They assert no time: a return of the quadratic code would run into the test's timeout, as a hang.
describe('long input', () => {
  it('redacts a text holding a 600 kB word or link, and the address after it', { timeout: 60_000 }, () => {
    // Patterns that could start at every letter of a word, or split it many ways (a 100 kB token took seconds).
    // A mailbox-like word before a spaced @ is an address; the others are not.
    expect(all.redact(`${'a1'.repeat(300_000)} @ x.de anna@web.de`)).toBe('[email] [email]');
    for (const text of ['ab-'.repeat(200_000), 'a.bc/'.repeat(120_000), 'x'.repeat(600_000)]) {
      expect(all.redact(`${text} @ x.de anna@web.de`)).toBe(`${text} @ x.de [email]`);
    }
  });

  it('redacts an e-mail address with a 600 kB mailbox name', { timeout: 60_000 }, () => {
    // The top-level domain was found by a pattern tried again from every letter of the name (4 s at 100 kB).
    expect(all.redact(`Mail: ${'a'.repeat(600_000)}@x.de.`)).toBe('Mail: [email].');
    expect(all.redact('a@x.jpg a@x.de')).toBe('a@x.jpg [email]');
  });
});

describe('ordering and names', () => {
  it('reads an e-mail as e-mail, not as a handle', () => {
    expect(createRedactor({ types: ['handle', 'email'] }).redact('a.b@example.org')).toBe('[email]');
  });
  it('leaves types that were not asked for', () => {
    expect(createRedactor({ types: ['phone'] }).redact('a@b.de 0170 1234567')).toBe('a@b.de [phone]');
  });
  it('prefers the longest known name and finds adjacent names', () => {
    expect(all.redact('Anna Schmidt, Anna und Kathi Kathi')).toBe('[name], [name] und [name] [name]');
  });
  it('finds a name right after another name whole, though a shorter name stands inside it', () => {
    const r = createRedactor({ types: ['known_name'], knownNames: ['Anna', 'Ben Carl Dorn', 'Carl'] });
    expect(r.redact('Anna Ben Carl Dorn, Anna und Carl')).toBe('[name] [name], [name] und [name]');
  });
  it('ignores names equal to a placeholder word', () => {
    expect(createRedactor({ types: ['email', 'known_name'], knownNames: ['email'] }).redact('x@y.de')).toBe('[email]');
  });
  it('scales to many names without a giant alternation', () => {
    const names = Array.from({ length: 50_000 }, (_, i) => `Person${i} Nachname${i}`);
    const r = createRedactor({ types: ['known_name'], knownNames: names });
    expect(r.redact('Hallo Person49999 Nachname49999 und Person1 Nachname2')).toBe(
      'Hallo [name] und Person1 Nachname2',
    );
  });
});
