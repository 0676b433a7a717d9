import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';
import { EXAMPLE_VALUES, renderConfig } from './template.ts';

const template = renderConfig(EXAMPLE_VALUES);

/** The generated config with one line replaced, parsed. */
function configWith(from: string, to: string) {
  expect(template).toContain(from);
  return parseConfig(template.replace(from, to), '/home/dissent.config.yaml', '/home');
}

/** The generated config with one line replaced, parsed; the error message when it is refused. */
function parseWith(from: string, to: string): string | undefined {
  expect(template).toContain(from);
  try {
    parseConfig(template.replace(from, to), '/home/dissent.config.yaml', '/home');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('parseConfig', () => {
  it('refuses a server.listen that is not HOST:PORT, naming the line and the setting rather than --listen', () => {
    for (const bad of ['nonsense', '8080', '127.0.0.1', '127.0.0.1:99999', ':8080']) {
      expect(parseWith('  listen: 127.0.0.1:8080', `  listen: "${bad}"`)).toMatch(
        /^\/home\/dissent\.config\.yaml:\d+: server\.listen: must be HOST:PORT/,
      );
    }
    for (const good of ['0.0.0.0:80', '[::1]:8080', 'localhost:0']) {
      expect(parseWith('  listen: 127.0.0.1:8080', `  listen: "${good}"`)).toBeUndefined();
    }
  });

  it('names a misspelt key as the unknown key it is, not only the required one it leaves missing', () => {
    expect(parseWith('\nprogrammes:', '\nprograms:')).toMatch(
      /^\/home\/dissent\.config\.yaml:\d+: programs: Unrecognized key: "programs"$/,
    );
  });

  it('refuses a mail_from that is not an address, or that would write headers of its own into every mail', () => {
    const at = '  mail_from: "dissent <no-reply@localhost>"';
    for (const bad of [
      'dissent',
      'no-reply',
      'dissent <no-reply>',
      'a@b.org\\r\\nBcc: x@evil.example',
      'a@b.org, c@d.org',
    ]) {
      expect(parseWith(at, `  mail_from: "${bad}"`)).toMatch(
        /^\/home\/dissent\.config\.yaml:\d+: server\.mail_from: must be an e-mail address/,
      );
    }
    for (const good of [
      'no-reply@example.org',
      'Widerspruch Meta-KI <no-reply@example.org>',
      '<no-reply@example.org>',
    ]) {
      expect(parseWith(at, `  mail_from: "${good}"`)).toBeUndefined();
    }
  });

  it('refuses a public_url under which the portal could not work: a path, query or fragment, or no http(s)', () => {
    const at = '  api_tokens: []';
    for (const bad of [
      'https://example.org/dissent',
      'https://example.org/dissent/',
      'https://widerspruch.example/?lang=de',
      'https://widerspruch.example/#top',
      'https://widerspruch.example?',
      'ftp://widerspruch.example',
      'https://user:pw@widerspruch.example',
    ]) {
      expect(parseWith(at, `${at}\n  public_url: "${bad}"`), bad).toMatch(
        /^\/home\/dissent\.config\.yaml:\d+: server\.public_url: must be the http:\/\/ or https:\/\/ address/,
      );
    }
    for (const good of ['https://widerspruch.example', 'https://widerspruch.example/', 'http://127.0.0.1:8080']) {
      expect(parseWith(at, `${at}\n  public_url: "${good}"`), good).toBeUndefined();
    }
  });

  it('refuses an smtp_url the mailer could not use, naming the setting and never the password in it', () => {
    const at = '  # smtp_url: smtp://user:pass@mail.example:587';
    for (const bad of [
      'smtp://ops:s3cr#t@mail.example:587',
      'smtp://ops:s3/cret@mail.example:587',
      'mail.example:587',
      'https://ops:s3cret@mail.example',
    ]) {
      const message = parseWith(at, `  smtp_url: "${bad}"`);
      expect(message).toMatch(/^\/home\/dissent\.config\.yaml:\d+: server\.smtp_url: must be an smtp:\/\//);
      expect(message).not.toContain('s3');
    }
    expect(parseWith(at, '  smtp_url: "smtps://ops:s3cr%23t@mail.example:465"')).toBeUndefined();
    expect(parseWith(at, '  smtp_url: "smtp://mail.example"')).toBeUndefined();
  });

  it('refuses a grace_window so long that the deadline plus it is no date, which let a first snapshot be built at once', () => {
    for (const huge of ['99999999999999h', `${'9'.repeat(400)}d`]) {
      expect(parseWith('grace_window: 72h', `grace_window: ${huge}`)).toMatch(
        /^\/home\/dissent\.config\.yaml:\d+: programmes\.0\.grace_window: is too long/,
      );
    }
    expect(parseWith('grace_window: 72h', 'grace_window: 3650d')).toBeUndefined();
  });

  it('reads a grace_window in every unit and in combinations, as the milliseconds it says', () => {
    const ms = (text: string) => configWith('grace_window: 72h', `grace_window: ${text}`).programmes[0]?.grace_window;
    expect(ms('72h')).toBe(72 * 3_600_000);
    expect(ms('3d')).toBe(3 * 86_400_000);
    expect(ms('1h30m')).toBe(90 * 60_000);
    expect(ms('90s')).toBe(90_000);
    expect(ms('1.5h')).toBe(90 * 60_000);
    expect(ms('2d12h')).toBe(60 * 3_600_000);
    expect(ms('250ms')).toBe(250);
    expect(parseWith('grace_window: 72h', 'grace_window: 72 hours')).toMatch(/grace_window: must be a duration/);
  });

  it('reads a deadline with its UTC offset as that instant, and refuses a day its month does not have', () => {
    const at = 'deadline: 2025-05-26T23:59:59+02:00';
    expect(configWith(at, at).programmes[0]?.deadline.toISOString()).toBe('2025-05-26T21:59:59.000Z');
    expect(configWith(at, 'deadline: 2028-02-29T12:00:00Z').programmes[0]?.deadline.toISOString()).toBe(
      '2028-02-29T12:00:00.000Z',
    );
    for (const day of ['2025-02-29T12:00:00Z', '2025-04-31T12:00:00Z', '2025-13-01T12:00:00Z', '2025-05-26T23:59:59']) {
      expect(parseWith(at, `deadline: ${day}`), day).toMatch(/programmes\.0\.deadline: must be a real ISO 8601/);
    }
  });

  it('refuses a trust_proxy range wider than its address family, naming the entry', () => {
    const at = '  # trust_proxy: [127.0.0.1]';
    const good = configWith(at, '  trust_proxy: ["10.0.0.0/8", "::1/128", loopback]');
    expect(good.server.trust_proxy).toEqual(['10.0.0.0/8', '::1/128', 'loopback']);
    for (const [bad, entry] of [
      ['["10.0.0.0/8", "10.0.0.0/33"]', 1],
      ['["::1/129"]', 0],
      ['["10.0.0.0/8/8"]', 0],
      ['["10.0.0.0/x"]', 0],
      ['["example.org"]', 0],
    ] as const) {
      expect(parseWith(at, `  trust_proxy: ${bad}`), bad).toMatch(
        new RegExp(`server\\.trust_proxy\\.${entry}: must be`),
      );
    }
  });

  it('says that a list written without brackets must be one, with the list to write, not "expected array"', () => {
    // docs/portal.md names loopback as a trust_proxy value; written on its own it is a string, not a list.
    expect(parseWith('  # trust_proxy: [127.0.0.1]', '  trust_proxy: loopback')).toMatch(
      /^\/home\/dissent\.config\.yaml:\d+: server\.trust_proxy: must be a list in brackets, e\.g\. \[loopback\]$/,
    );
    expect(parseWith('  api_tokens: []', '  api_tokens:')).toMatch(
      /server\.api_tokens: is empty: write a list in brackets, \[\] for none$/,
    );
  });

  it('says to quote a value that YAML reads as a number or a boolean where text belongs, such as a token of digits', () => {
    // A generated token of hex digits can look like a number in YAML: 1234e56 is read as 1.234e59.
    expect(parseWith('  api_tokens: []', '  api_tokens: [1234567890123456789012345678901234e56]')).toMatch(
      /server\.api_tokens\.0: must be text, but YAML reads this value as a number: put it in quotes$/,
    );
    expect(parseWith('  listen: 127.0.0.1:8080', '  listen: true')).toMatch(
      /server\.listen: must be text, but YAML reads this value as a boolean: put it in quotes$/,
    );
  });
});
