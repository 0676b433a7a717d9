import pkg from '../../package.json' with { type: 'json' };
import { MAX_ENTRIES } from './routes/api-log.ts';

const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problem } },
});
const json = (schema: unknown) => ({ 'application/json': { schema } });
const nonNegative = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' };
const b64hash = { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' };
const iso = { type: 'string', format: 'date-time' };
const operatorErrors = {
  '400': problemResponse('The request body or a parameter is invalid.'),
  '401': problemResponse('No valid operator bearer token.'),
  '413': problemResponse('The request body is too large.'),
  '415': problemResponse('The body is not JSON.'),
  '429': {
    ...problemResponse(
      'Too many requests for this subject (an unknown programme or subject is not counted), or, without a valid token, from this address.',
    ),
    headers: { 'Retry-After': { description: 'Seconds until the limit resets.', schema: { type: 'string' } } },
  },
  '500': problemResponse(
    "A failure of the server's own (E_INTERNAL), whose details are in the server's error log only. A filing or withdrawal may have been carried out before it: retry with the same Idempotency-Key to find out safely.",
  ),
  '503': {
    ...problemResponse(
      'The server is shutting down (E_SHUTTING_DOWN; retry against the restarted one), or cannot reach its registry database just now (E_DB_UNAVAILABLE; retry after Retry-After seconds).',
    ),
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before retrying, when the registry is out of reach.',
        schema: { type: 'string' },
      },
    },
  },
};
/**
 * Every route: a failure of the server's own (a disk full, a defect), whose details go to the error log, never to the
 * client; and a request that arrives on a kept-alive connection after shutdown began.
 */
const everyRoute = { '500': operatorErrors['500'], '503': operatorErrors['503'] };
/** Makes a filing request safe to retry (see the operations' descriptions). */
const idempotencyKeyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
};
const replayHeaders = {
  Location: { schema: { type: 'string' } },
  'Idempotency-Replayed': { description: '"true" on a replay of an Idempotency-Key.', schema: { const: 'true' } },
};
/** Public routes are limited per IP address; like every route, they answer 503 during shutdown. */
const rateLimited = {
  '429': problemResponse('Too many requests from this address; retry after Retry-After seconds.'),
  ...everyRoute,
};

/**
 * The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. Tests validate real responses of
 * every endpoint against its schemas (JSON Schema 2020-12).
 */
export const openApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'dissent objection registry API',
    version: pkg.version,
    description:
      'Operator endpoints file and withdraw objections (GDPR Art. 21) for subjects the operator has signed in; public endpoints serve the signed transparency log so that anyone can check receipts and audit the log. Errors are RFC 9457 problem details; a method a path does not list is answered 405 (E_METHOD_NOT_ALLOWED) with an Allow header.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: { operator: { type: 'http', scheme: 'bearer', description: 'A token from server.api_tokens.' } },
    schemas: {
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status', 'code'],
        properties: {
          type: { type: 'string', format: 'uri' },
          title: { type: 'string' },
          status: { type: 'integer', minimum: 400, maximum: 599 },
          detail: { type: 'string' },
          code: { type: 'string', pattern: '^E_[A-Z0-9_]+$' },
        },
      },
      SubjectRequest: {
        type: 'object',
        additionalProperties: false,
        required: ['subject'],
        properties: {
          subject: {
            type: 'string',
            minLength: 1,
            maxLength: 200,
            description: 'A person id or an account id of the identity graph; an account stands for its person.',
          },
          programme: {
            type: 'string',
            minLength: 1,
            maxLength: 64,
            default: '*',
            description: 'A programme id, or * for all current and future programmes.',
          },
          scope: {
            type: 'string',
            enum: ['person', 'account'],
            default: 'person',
            description: 'person covers every linked account; account only the one account given.',
          },
        },
      },
      Receipt: {
        type: 'object',
        additionalProperties: false,
        required: [
          'v',
          'objection_id',
          'subject',
          'salt',
          'programme',
          'scope',
          'late',
          'leaf',
          'leaf_index',
          'checkpoint',
          'inclusion_proof',
        ],
        properties: {
          v: { const: 1 },
          objection_id: { type: 'string' },
          subject: { type: 'string' },
          salt: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          programme: { type: 'string' },
          scope: { enum: ['person', 'account'] },
          late: { type: 'object', additionalProperties: { type: 'boolean' } },
          leaf: { type: 'string', description: 'The canonical JSON of the log event.' },
          leaf_index: { type: 'integer', minimum: 0 },
          checkpoint: { type: 'string', description: 'A C2SP signed note holding a tlog-checkpoint.' },
          inclusion_proof: { type: 'array', items: b64hash },
        },
      },
      Objection: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'subject',
          'scope',
          'programme',
          'state',
          'channel',
          'submitted_at',
          'effective_at',
          'withdrawn_at',
          'late',
          'leaf_index',
          'withdrawal',
          'receipt',
        ],
        properties: {
          id: { type: 'string' },
          subject: { type: 'string' },
          scope: { enum: ['person', 'account'] },
          programme: { type: 'string' },
          state: { enum: ['pending', 'effective', 'withdrawn'] },
          channel: { enum: ['cli', 'api', 'web'] },
          submitted_at: iso,
          effective_at: { oneOf: [iso, { type: 'null' }] },
          withdrawn_at: { oneOf: [iso, { type: 'null' }] },
          late: { type: 'object', additionalProperties: { type: 'boolean' } },
          leaf_index: { type: ['integer', 'null'], minimum: 0 },
          withdrawal: {
            oneOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['id', 'leaf_index', 'submitted_at'],
                properties: { id: { type: 'string' }, leaf_index: { type: 'integer', minimum: 0 }, submitted_at: iso },
              },
              { type: 'null' },
            ],
          },
          receipt: { oneOf: [{ $ref: '#/components/schemas/Receipt' }, { type: 'null' }] },
        },
      },
      InclusionProof: {
        type: 'object',
        additionalProperties: false,
        required: ['index', 'size', 'root', 'proof'],
        properties: {
          index: { type: 'integer', minimum: 0 },
          size: { type: 'integer', minimum: 1 },
          root: b64hash,
          proof: { type: 'array', items: b64hash },
        },
      },
      ConsistencyProof: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to', 'proof'],
        properties: {
          from: { type: 'integer', minimum: 0 },
          to: { type: 'integer', minimum: 0 },
          proof: { type: 'array', items: b64hash },
        },
      },
      Entries: {
        type: 'object',
        additionalProperties: false,
        required: ['start', 'end', 'size', 'entries'],
        properties: {
          start: { type: 'integer', minimum: 0 },
          end: { type: 'integer', minimum: 0 },
          size: { type: 'integer', minimum: 0 },
          entries: { type: 'array', maxItems: MAX_ENTRIES, items: { type: 'string' } },
        },
      },
    },
  },
  paths: {
    '/api/v1/objections': {
      post: {
        operationId: 'fileObjection',
        summary: 'File an effective objection for a signed-in subject and get its receipt.',
        description:
          "Durable on return: the objection is fsync-ed and its leaf is covered by a signed checkpoint. Objecting is idempotent per subject, scope and programme: when the subject already has an effective objection to that programme, its receipt is returned with 200 (one to * does not count: an objection to a single programme is recorded beside it, so that withdrawing * leaves it in force). With an Idempotency-Key, a retry returns the first request's objection (200, header Idempotency-Replayed: true), or 409 once that objection has been withdrawn; reusing a key with a different body, or for a withdrawal, is refused with 422.",
        security: [{ operator: [] }],
        parameters: [idempotencyKeyHeader],
        requestBody: { required: true, content: json({ $ref: '#/components/schemas/SubjectRequest' }) },
        responses: {
          '201': {
            description: 'A new objection is effective.',
            headers: { Location: { schema: { type: 'string' } } },
            content: json({ $ref: '#/components/schemas/Receipt' }),
          },
          '200': {
            description:
              'An effective objection already covered the request, or an idempotent replay (Idempotency-Replayed: true).',
            headers: replayHeaders,
            content: json({ $ref: '#/components/schemas/Receipt' }),
          },
          ...operatorErrors,
          '404': problemResponse('The subject is not in the identity graph.'),
          '409': problemResponse(
            'The objection the Idempotency-Key filed has since been withdrawn (E_IDEMPOTENCY_WITHDRAWN): send a new key to object again.',
          ),
          '422': problemResponse('The Idempotency-Key was used with a different request.'),
        },
      },
    },
    '/api/v1/withdrawals': {
      post: {
        operationId: 'withdrawObjection',
        summary:
          "Withdraw the subject's effective objection to exactly this programme; returns the withdrawal receipt.",
        description:
          "Durable on return, like filing. With an Idempotency-Key, a retry returns the first request's withdrawal receipt (200, header Idempotency-Replayed: true) instead of a 404 for an objection already withdrawn, or 409 once the subject has objected again; reusing a key with a different body, or for an objection, is refused with 422.",
        security: [{ operator: [] }],
        parameters: [idempotencyKeyHeader],
        requestBody: { required: true, content: json({ $ref: '#/components/schemas/SubjectRequest' }) },
        responses: {
          '201': {
            description: 'The withdrawal is logged.',
            headers: { Location: { schema: { type: 'string' } } },
            content: json({ $ref: '#/components/schemas/Receipt' }),
          },
          '200': {
            description:
              'An idempotent replay (Idempotency-Replayed: true) of the withdrawal the key was first used for.',
            headers: replayHeaders,
            content: json({ $ref: '#/components/schemas/Receipt' }),
          },
          ...operatorErrors,
          '404': problemResponse('No such subject, or no effective objection to this programme.'),
          '409': problemResponse(
            'The subject has objected again since the withdrawal this Idempotency-Key made (E_IDEMPOTENCY_SUPERSEDED): send a new key to withdraw the new objection.',
          ),
          '422': problemResponse('The Idempotency-Key was used with a different request.'),
        },
      },
    },
    '/api/v1/objections/{id}': {
      get: {
        operationId: 'getObjection',
        summary: 'Read an objection, its lateness, its withdrawal and a fresh receipt.',
        security: [{ operator: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The objection.', content: json({ $ref: '#/components/schemas/Objection' }) },
          '400': problemResponse('The id in the path cannot be read (malformed percent-encoding).'),
          '401': operatorErrors['401'],
          '404': problemResponse('No objection with this id.'),
          '429': problemResponse('Without a valid token: too many requests from this address.'),
          ...everyRoute,
        },
      },
    },
    '/api/v1/log/checkpoint': {
      get: {
        operationId: 'getCheckpoint',
        summary: 'The latest signed checkpoint (C2SP signed note with a tlog-checkpoint body).',
        responses: {
          '200': { description: 'The note.', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...rateLimited,
        },
      },
    },
    '/api/v1/log/key': {
      get: {
        operationId: 'getVerifierKey',
        summary: 'The verifier key of the log (name+keyhash+base64 Ed25519 key, as Go sumdb/note).',
        responses: {
          '200': {
            description: 'The key, one line.',
            content: {
              'text/plain': { schema: { type: 'string', pattern: '^[^\\s+]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/=]+\\n$' } },
            },
          },
          ...rateLimited,
        },
      },
    },
    '/api/v1/log/proof/inclusion': {
      get: {
        operationId: 'getInclusionProof',
        summary: 'RFC 9162 inclusion proof of a leaf in the tree of a given size (default: latest checkpoint).',
        parameters: [
          { name: 'index', in: 'query', required: true, schema: nonNegative },
          { name: 'size', in: 'query', required: false, schema: nonNegative },
        ],
        responses: {
          '200': { description: 'The proof.', content: json({ $ref: '#/components/schemas/InclusionProof' }) },
          '400': problemResponse('Index or size out of range.'),
          ...rateLimited,
        },
      },
    },
    '/api/v1/log/proof/consistency': {
      get: {
        operationId: 'getConsistencyProof',
        summary: 'RFC 9162 consistency proof between two tree sizes (default to: latest checkpoint).',
        parameters: [
          { name: 'from', in: 'query', required: true, schema: nonNegative },
          { name: 'to', in: 'query', required: false, schema: nonNegative },
        ],
        responses: {
          '200': { description: 'The proof.', content: json({ $ref: '#/components/schemas/ConsistencyProof' }) },
          '400': problemResponse('Sizes out of range.'),
          ...rateLimited,
        },
      },
    },
    '/api/v1/log/entries': {
      get: {
        operationId: 'getEntries',
        summary: `Log entries [start, end), at most ${MAX_ENTRIES} (default 100); end is clamped to the checkpoint size.`,
        parameters: [
          { name: 'start', in: 'query', required: true, schema: nonNegative },
          { name: 'end', in: 'query', required: false, schema: nonNegative },
        ],
        responses: {
          '200': { description: 'The entries.', content: json({ $ref: '#/components/schemas/Entries' }) },
          '400': problemResponse('Range invalid or too large.'),
          ...rateLimited,
        },
      },
    },
    '/api/v1/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document.',
        responses: { '200': { description: 'OpenAPI 3.1.', content: json({ type: 'object' }) }, ...rateLimited },
      },
    },
  },
} as const;
