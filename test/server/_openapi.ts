import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../src/server/openapi.ts';

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
};

const doc = openApiDocument as unknown as Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema({ $id: 'openapi', ...(openApiDocument as object) });

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Operations whose responses a test has validated, as "METHOD path". */
export const covered = new Set<string>();

/** Every operation the document describes. */
export function operations(): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
}

/**
 * Validates a real response against the document: the status must be documented for the operation, the media type
 * listed, and the body must match its schema. Returns the errors (empty when it matches).
 */
export function responseErrors(
  method: string,
  path: string,
  status: number,
  contentType: string | null,
  body: unknown,
): string[] {
  const op = doc.paths[path]?.[method.toLowerCase()];
  if (!op) return [`operation ${method} ${path} is not in the document`];
  const res = op.responses[String(status)];
  if (!res) return [`status ${status} is not documented for ${method} ${path}`];
  const media = (contentType ?? '').split(';')[0]?.trim() ?? '';
  if (!res.content?.[media]) return [`media type ${media} is not documented for ${method} ${path} ${status}`];
  covered.add(`${method.toUpperCase()} ${path}`);
  const ref = `openapi#/${pointer('paths', path, method.toLowerCase(), 'responses', String(status), 'content', media, 'schema')}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** Validates a request body against the document's request schema. */
export function requestErrors(method: string, path: string, body: unknown): string[] {
  const ref = `openapi#/${pointer('paths', path, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema')}`;
  const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
