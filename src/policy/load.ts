import { ConfigError } from '../shared/errors.ts';
import { parseYamlWith } from '../shared/yaml.ts';
import { type Policy, policySchema } from './schema.ts';

/**
 * Parses and validates policy YAML text; a problem is a ConfigError with code E_POLICY naming the file, the line and
 * the field. Pure: the caller reads the file.
 * @example parsePolicy(readFileSync(file, 'utf8'), file)
 */
export function parsePolicy(text: string, file: string): Policy {
  try {
    return parseYamlWith(policySchema, text, file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const prefix = `${error.file}:${error.line}: ${error.field}: `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new ConfigError(error.file, error.line, error.field, message, 'E_POLICY');
  }
}
