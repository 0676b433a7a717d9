/** Base error for everything dissent raises on purpose; `code` is stable and machine-readable. */
export class DissentError extends Error {
  override name = 'DissentError';
  constructor(
    message: string,
    readonly code: `E_${string}`,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Bad input from a user: a flag, a file, a line. The CLI maps it to exit code 2. */
export class InputError extends DissentError {
  override name = 'InputError';
  constructor(message: string, code: `E_${string}` = 'E_INPUT', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/** A check that ran and failed: a bad signature, a proof that does not verify. The CLI maps it to exit code 1. */
export class VerificationError extends DissentError {
  override name = 'VerificationError';
  constructor(message: string, code: `E_${string}` = 'E_VERIFY', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/** A config or policy file that does not validate; names file, line and field. */
export class ConfigError extends InputError {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    message: string,
    code: `E_${string}` = 'E_CONFIG',
  ) {
    super(`${file}:${line}: ${field}: ${message}`, code);
  }
}

/** Something the caller asked for does not exist (unknown subject, programme, log index). */
export class NotFoundError extends InputError {
  override name = 'NotFoundError';
  constructor(message: string, code: `E_${string}` = 'E_NOT_FOUND', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/**
 * Something dissent needs is out of reach just now (the registry's database restarting, a lost connection): the same
 * request may succeed in a few seconds. The server answers it with 503 and Retry-After, the CLI with exit code 2.
 */
export class UnavailableError extends DissentError {
  override name = 'UnavailableError';
  constructor(message: string, code: `E_${string}` = 'E_UNAVAILABLE', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/** An action refused by a rule, e.g. a first snapshot before the deadline plus grace window. */
export class RefusedError extends DissentError {
  override name = 'RefusedError';
  constructor(message: string, code: `E_${string}` = 'E_REFUSED', options?: ErrorOptions) {
    super(message, code, options);
  }
}

/** Why a file could not be opened, in words (`it does not exist`), from the error Node gave; for messages to users. */
export function unreadableWhy(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'ELOOP') return 'a loop of symbolic links';
  return typeof code === 'string' ? code : 'unreadable';
}
