import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';
import { EXAMPLE_VALUES, renderConfig } from './template.ts';

const template = renderConfig(EXAMPLE_VALUES);

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
});
