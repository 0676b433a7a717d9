import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../src/log/checkpoint.ts';
import { fromBase64, hashLeaf } from '../../src/log/hash.ts';
import { parseVerifierKey } from '../../src/log/note.ts';
import { verifyConsistency, verifyInclusion } from '../../src/log/proofs.ts';
import { type Receipt, verifyReceipt } from '../../src/log/receipt.ts';
import type { AccessLogLine, RunningServer } from '../../src/server/app.ts';
import { API_TOKEN, api, makeHome, serve, type TestHome } from './_harness.ts';
import { covered, operations, requestErrors, responseErrors } from './_openapi.ts';

let t: TestHome;
let server: RunningServer;
let base: string;

/** Calls the API and checks the response against the OpenAPI document before handing it back. */
async function call(
  method: string,
  template: string,
  path: string,
  opts: Parameters<typeof api>[2] = {},
): Promise<Awaited<ReturnType<typeof api>>> {
  const res = await api(base, path, { ...opts, method });
  const ct = res.headers.get('content-type');
  const body = ct?.startsWith('text/plain') ? res.text : res.json;
  expect(responseErrors(method, template, res.status, ct, body), `${method} ${path} -> ${res.status}`).toEqual([]);
  return res;
}

beforeAll(async () => {
  t = await makeHome({ persons: 40 });
  server = await serve(t, { limits: { perSubjectPerHour: 5 } });
  base = server.url;
});
afterAll(async () => {
  await server.close();
  await t.cleanup();
});

describe('operator API', () => {
  it('refuses requests without a token or with a wrong one (401 problem+json)', async () => {
    for (const token of [null, 'wrong-token-wrong-token-wrong', `${'x'.repeat(35)}`]) {
      const res = await call('POST', '/api/v1/objections', '/api/v1/objections', { body: { subject: 'p:1' }, token });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(
      (await call('POST', '/api/v1/withdrawals', '/api/v1/withdrawals', { body: { subject: 'p:1' }, token: null }))
        .status,
    ).toBe(401);
    expect((await call('GET', '/api/v1/objections/{id}', '/api/v1/objections/o_x', { token: 'nope' })).status).toBe(
      401,
    );
    // An id the router cannot decode is refused before the token is looked at, as the document says.
    expect(
      (await call('GET', '/api/v1/objections/{id}', '/api/v1/objections/o_%E0%A4%A', { token: null })).status,
    ).toBe(400);
    // The token is checked before the body is read: whatever the body, a caller without one learns only that.
    for (const [type, body] of [
      ['application/json', '{bad'],
      ['application/json', ''],
      ['application/xml', '<subject/>'],
      ['application/json', JSON.stringify({ subject: 'x'.repeat(100_000) })],
    ] as const) {
      const res = await fetch(`${base}/api/v1/objections`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('files an objection durably: 201 with a receipt that verifies, then 200 with the same one', async () => {
    const body = { subject: 'fb:a:2' };
    expect(requestErrors('POST', '/api/v1/objections', body)).toEqual([]);
    const first = await call('POST', '/api/v1/objections', '/api/v1/objections', { body });
    expect(first.status).toBe(201);
    const receipt = first.json as Receipt;
    expect(verifyReceipt(receipt, parseVerifierKey((await api(base, '/api/v1/log/key')).text.trim())).ok).toBe(true);
    expect(receipt.scope).toBe('person');
    expect(receipt.subject).toBe('p:2');
    expect(receipt.late).toEqual({ 'ai-training-2025': false, 'assistant-2025': false });
    expect(first.headers.get('location')).toBe(`/api/v1/objections/${receipt.objection_id}`);
    // Durable before the answer: the store already holds it, inside a signed checkpoint.
    const row = await t.home.store.getObjection(receipt.objection_id);
    expect(row?.state).toBe('effective');
    expect((await t.home.store.latestCheckpoint())?.size).toBeGreaterThan(receipt.leaf_index);

    const again = await call('POST', '/api/v1/objections', '/api/v1/objections', { body: { subject: 'p:2' } });
    expect(again.status).toBe(200);
    expect((again.json as Receipt).objection_id).toBe(receipt.objection_id);
  });

  it('makes retries safe with Idempotency-Key and refuses a key reused with another body (422)', async () => {
    const headers = { 'idempotency-key': 'retry-7f3a' };
    const a = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'fb:a:3', programme: 'assistant-2025' },
      headers,
    });
    expect(a.status).toBe(201);
    const b = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'fb:a:3', programme: 'assistant-2025' },
      headers,
    });
    expect(b.status).toBe(200);
    expect(b.headers.get('idempotency-replayed')).toBe('true');
    expect((b.json as Receipt).objection_id).toBe((a.json as Receipt).objection_id);
    expect(b.headers.get('location')).toBe(a.headers.get('location'));
    // Retries are answered from the first result and never run into the per-subject limit (5 here).
    for (let i = 0; i < 5; i++) {
      const retry = await call('POST', '/api/v1/objections', '/api/v1/objections', {
        body: { subject: 'fb:a:3', programme: 'assistant-2025' },
        headers,
      });
      expect(retry.status).toBe(200);
    }
    const c = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'fb:a:4', programme: 'assistant-2025' },
      headers,
    });
    expect(c.status).toBe(422);
    expect((c.json as { code: string }).code).toBe('E_IDEMPOTENCY');
    const rows = await t.home.store.countObjections();
    expect(rows.filter((r) => r.programme === 'assistant-2025').reduce((n, r) => n + r.n, 0)).toBe(1);
  });

  it('does not answer an objection key with a receipt once that objection is withdrawn (409): it is no longer in force', async () => {
    // A key derived from the user and the action, as some backends make them, comes back when the user objects again.
    const headers = { 'idempotency-key': 'object-p:30' };
    const first = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'p:30' },
      headers,
    });
    expect(first.status).toBe(201);
    expect(
      (await call('POST', '/api/v1/withdrawals', '/api/v1/withdrawals', { body: { subject: 'p:30' } })).status,
    ).toBe(201);
    const again = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'p:30' },
      headers,
    });
    expect(again.status).toBe(409);
    expect((again.json as { code: string }).code).toBe('E_IDEMPOTENCY_WITHDRAWN');
    const fresh = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'p:30' },
      headers: { 'idempotency-key': 'object-p:30-2' },
    });
    expect(fresh.status).toBe(201);
  });

  it('does not answer a withdrawal key with the old receipt once the subject has objected again (409)', async () => {
    const headers = { 'idempotency-key': 'withdraw-p:31' };
    const object = () => call('POST', '/api/v1/objections', '/api/v1/objections', { body: { subject: 'p:31' } });
    const withdraw = () =>
      call('POST', '/api/v1/withdrawals', '/api/v1/withdrawals', { body: { subject: 'p:31' }, headers });
    expect((await object()).status).toBe(201);
    expect((await withdraw()).status).toBe(201);
    // A plain retry still gets the withdrawal's receipt.
    expect((await withdraw()).status).toBe(200);
    expect((await object()).status).toBe(201);
    const again = await withdraw();
    expect(again.status).toBe(409);
    expect((again.json as { code: string }).code).toBe('E_IDEMPOTENCY_SUPERSEDED');
    const effective = await t.home.store.findEffective('p:31', 'person', '*');
    expect(effective?.state).toBe('effective');
  });

  it('runs concurrent requests with one Idempotency-Key as one objection', async () => {
    const headers = { 'idempotency-key': 'concurrent-1' };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('POST', '/api/v1/objections', '/api/v1/objections', { body: { subject: 'p:9' }, headers }),
      ),
    );
    const ids = new Set(results.map((r) => (r.json as Receipt).objection_id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
  });

  it('rejects bad bodies with 400 problem+json that never echoes the subject', async () => {
    for (const body of [{}, { subject: '' }, { subject: 'p:1', extra: true }, { subject: 'p:1', scope: 'family' }]) {
      expect(requestErrors('POST', '/api/v1/objections', body)).not.toEqual([]);
      const res = await call('POST', '/api/v1/objections', '/api/v1/objections', { body });
      expect(res.status).toBe(400);
    }
    const unknown = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'p:secret-999' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.text).not.toContain('secret-999');
    const badProgramme = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'p:1', programme: 'nope' },
    });
    expect(badProgramme.status).toBe(400);
    const notJson = await fetch(`${base}/api/v1/objections`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-operator-token-0123456789abcdef', 'content-type': 'application/json' },
      body: '{"subject": "p:1"',
    });
    expect(notJson.status).toBe(400);
    const problem = await notJson.json();
    expect(responseErrors('POST', '/api/v1/objections', 400, notJson.headers.get('content-type'), problem)).toEqual([]);
  });

  it('takes the bearer scheme in any case, and refuses a body not sent as JSON (415)', async () => {
    const lower = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'p:11' },
      token: null,
      headers: { authorization: 'bearer  test-operator-token-0123456789abcdef' },
    });
    expect(lower.status).toBe(201);
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'subject=p%3A12'],
      ['text/plain', '{"subject":"p:12"}'],
      ['application/xml', '<subject>p:12</subject>'],
    ] as const) {
      const res = await fetch(`${base}/api/v1/objections`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-operator-token-0123456789abcdef', 'content-type': type },
        body,
      });
      const problem = await res.json();
      expect(res.status).toBe(415);
      expect(problem.code).toBe('E_MEDIA_TYPE');
      expect(responseErrors('POST', '/api/v1/objections', 415, res.headers.get('content-type'), problem)).toEqual([]);
    }
    expect((await t.home.store.findEffective('p:12', 'person', '*')) ?? null).toBeNull();
    const malformed = await fetch(`${base}/api/v1/objections`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-operator-token-0123456789abcdef', 'content-type': 'application/json' },
      body: '{"subject":',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'E_BAD_REQUEST' });
  });

  it('refuses bodies over the limit with 413', async () => {
    const res = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'p:1', programme: 'x'.repeat(100_000) },
    });
    expect(res.status).toBe(413);
  });

  it('limits requests per subject (429), whatever the IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await call('POST', '/api/v1/objections', '/api/v1/objections', { body: { subject: 'p:20' } })).status,
      );
    }
    expect(statuses.slice(0, 5).every((s) => s === 201 || s === 200)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('does not count a request with an unknown programme, and says when to retry', async () => {
    for (let i = 0; i < 7; i++) {
      const typo = await call('POST', '/api/v1/objections', '/api/v1/objections', {
        body: { subject: 'p:22', programme: 'ai-trainnig-2025' },
      });
      expect(typo.status).toBe(400);
      expect((typo.json as { code: string }).code).toBe('E_UNKNOWN_PROGRAMME');
    }
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const r = await call('POST', '/api/v1/objections', '/api/v1/objections', { body: { subject: 'p:22' } });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5).every((s) => s === 201 || s === 200)).toBe(true);
    expect(statuses[5]).toBe(429);
    const wait = Number(retryAfter);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(3600);
  });

  it('names the Idempotency-Key header when its value is refused', async () => {
    const r = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'p:23' },
      headers: { 'idempotency-key': 'with space' },
    });
    expect(r.status).toBe(400);
    expect((r.json as { detail: string }).detail).toContain('Idempotency-Key header');
  });

  it("counts every id of a person against the person's limit: the person and each of their accounts", async () => {
    const ids = ['p:21', ...t.accounts.filter((a) => a.person === 'p:21').map((a) => a.account)];
    expect(ids.length).toBeGreaterThan(1);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const subject = ids[i % ids.length] as string;
      statuses.push((await call('POST', '/api/v1/objections', '/api/v1/objections', { body: { subject } })).status);
    }
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('withdraws (201 with a withdrawal receipt), then 404 when nothing is left to withdraw', async () => {
    const filed = await call('POST', '/api/v1/objections', '/api/v1/objections', {
      body: { subject: 'fb:a:5', scope: 'account', programme: 'ai-training-2025' },
    });
    expect(filed.status).toBe(201);
    const body = { subject: 'fb:a:5', scope: 'account', programme: 'ai-training-2025' };
    // Withdrawn a minute after it was filed, so that the two times differ.
    t.clock.advance(60_000);
    const w = await call('POST', '/api/v1/withdrawals', '/api/v1/withdrawals', { body });
    expect(w.status).toBe(201);
    const receipt = w.json as Receipt;
    expect(JSON.parse(receipt.leaf).type).toBe('withdrawal');
    const again = await call('POST', '/api/v1/withdrawals', '/api/v1/withdrawals', { body });
    expect(again.status).toBe(404);

    const view = await call('GET', '/api/v1/objections/{id}', `/api/v1/objections/${receipt.objection_id}`);
    expect(view.status).toBe(200);
    const o = view.json as {
      state: string;
      withdrawal: { leaf_index: number; submitted_at: string } | null;
      scope: string;
      late: Record<string, boolean>;
      receipt: Receipt | null;
    };
    expect(o.state).toBe('withdrawn');
    expect(o.scope).toBe('account');
    expect(o.late).toEqual({ 'ai-training-2025': false });
    expect(o.withdrawal?.leaf_index).toBe(receipt.leaf_index);
    expect(o.withdrawal?.submitted_at).toBe(JSON.parse(receipt.leaf).submitted_at);
    expect(o.withdrawal?.submitted_at).not.toBe(JSON.parse((filed.json as Receipt).leaf).submitted_at);
    // The objection's own receipt, proved against the latest checkpoint.
    expect(o.receipt?.leaf).toBe((filed.json as Receipt).leaf);
    const verifier = parseVerifierKey((await api(base, '/api/v1/log/key')).text.trim());
    expect(verifyReceipt(o.receipt, verifier).ok).toBe(true);
    // Receipts carry the subject and its salt: no shared cache may keep them.
    for (const res of [filed, w, view]) expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await call('GET', '/api/v1/objections/{id}', '/api/v1/objections/o_doesnotexist')).status).toBe(404);
  });

  it('counts in /metrics each objection it made effective, once per programme covered, and each withdrawal', async () => {
    // A server of its own: the counters are this process's.
    const s = await serve(t);
    try {
      const file = (body: object) => api(s.url, '/api/v1/objections', { method: 'POST', body });
      expect((await file({ subject: 'p:24' })).status).toBe(201);
      // A repeat makes nothing effective.
      expect((await file({ subject: 'p:24' })).status).toBe(200);
      expect((await file({ subject: 'p:25', programme: 'assistant-2025' })).status).toBe(201);
      // Filed after the deadline of ai-training-2025 only.
      const before = t.clock.ms;
      t.clock.ms = Date.parse('2025-05-27T10:00:00Z');
      try {
        expect((await file({ subject: 'p:26' })).status).toBe(201);
      } finally {
        t.clock.ms = before;
      }
      const w = await api(s.url, '/api/v1/withdrawals', { method: 'POST', body: { subject: 'p:24' } });
      expect(w.status).toBe(201);
      const counters = (await api(s.url, '/metrics')).text
        .split('\n')
        .filter((l) => /^dissent_(objections_filed|withdrawals)_total\{/.test(l));
      expect(counters.sort()).toEqual([
        'dissent_objections_filed_total{channel="api",programme="ai-training-2025",late="false"} 1',
        'dissent_objections_filed_total{channel="api",programme="ai-training-2025",late="true"} 1',
        'dissent_objections_filed_total{channel="api",programme="assistant-2025",late="false"} 3',
        'dissent_withdrawals_total{channel="api"} 1',
      ]);
    } finally {
      await s.close();
    }
  });

  it('judges the deadline by when the request arrived, not by when the server got round to it', async () => {
    // Deadline night: the request arrives half a second before the deadline of ai-training-2025, and the subject
    // lookup behind it (a busy store, a long queue) takes a second.
    const store = t.home.store;
    const lookup = store.lookupSubjects.bind(store);
    const before = t.clock.ms;
    t.clock.ms = Date.parse('2025-05-26T21:59:58.500Z');
    store.lookupSubjects = async (ids) => {
      t.clock.advance(1000);
      return lookup(ids);
    };
    try {
      const res = await call('POST', '/api/v1/objections', '/api/v1/objections', { body: { subject: 'fb:a:7' } });
      expect(res.status).toBe(201);
      const receipt = res.json as Receipt;
      expect(JSON.parse(receipt.leaf).submitted_at).toBe('2025-05-26T21:59:58.500Z');
      expect(receipt.late).toEqual({ 'ai-training-2025': false, 'assistant-2025': false });
    } finally {
      store.lookupSubjects = lookup;
      t.clock.ms = before;
    }
  });

  it('withdraws an objection whose person has left the identity graph, by the id it was filed for', async () => {
    const body = { subject: 'p:35' };
    const filed = await call('POST', '/api/v1/objections', '/api/v1/objections', { body });
    expect(filed.status).toBe(201);
    // Every account of p:35 moves to p:36 (a merge in the identity graph): p:35 has no account any more.
    const moved = t.accounts.filter((a) => a.person === 'p:35').map((a) => ({ ...a, person: 'p:36' }));
    await t.home.store.upsertAccounts(moved);
    const w = await call('POST', '/api/v1/withdrawals', '/api/v1/withdrawals', { body });
    expect(w.status).toBe(201);
    expect((w.json as Receipt).objection_id).toBe((filed.json as Receipt).objection_id);
    // An id that never had an objection is still an unknown subject.
    const unknown = await call('POST', '/api/v1/withdrawals', '/api/v1/withdrawals', { body: { subject: 'p:nobody' } });
    expect(unknown.status).toBe(404);
    expect((unknown.json as { code: string }).code).toBe('E_UNKNOWN_SUBJECT');
  });

  it('answers a failure of its own with a 500 problem that the document declares, on operator and public routes', async () => {
    const registry = server.ctx.registry;
    const { object, latestCheckpoint } = registry;
    const fail = async (): Promise<never> => {
      throw new Error('the disk is full at /srv/secret/registry.db');
    };
    registry.object = fail;
    registry.latestCheckpoint = fail;
    try {
      const filed = await call('POST', '/api/v1/objections', '/api/v1/objections', { body: { subject: 'p:39' } });
      const checkpoint = await call('GET', '/api/v1/log/checkpoint', '/api/v1/log/checkpoint', { token: null });
      for (const res of [filed, checkpoint]) {
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.text).not.toContain('secret');
      }
    } finally {
      registry.object = object;
      registry.latestCheckpoint = latestCheckpoint;
    }
  });

  it('makes a withdrawal retry with its Idempotency-Key safe: the first receipt again, not a 404', async () => {
    const body = { subject: 'fb:a:6', scope: 'account', programme: 'ai-training-2025' };
    expect((await call('POST', '/api/v1/objections', '/api/v1/objections', { body })).status).toBe(201);
    const headers = { 'idempotency-key': 'withdraw-retry-1' };
    const w = await call('POST', '/api/v1/withdrawals', '/api/v1/withdrawals', { body, headers });
    expect(w.status).toBe(201);
    const sizeAfter = (await t.home.store.latestCheckpoint())?.size;

    const retry = await call('POST', '/api/v1/withdrawals', '/api/v1/withdrawals', { body, headers });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(retry.headers.get('location')).toBe(w.headers.get('location'));
    const first = w.json as Receipt;
    const again = retry.json as Receipt;
    expect(again.leaf).toBe(first.leaf);
    expect(again.leaf_index).toBe(first.leaf_index);
    expect(JSON.parse(again.leaf).type).toBe('withdrawal');
    // Nothing new was logged for the retry.
    expect((await t.home.store.latestCheckpoint())?.size).toBe(sizeAfter);

    // The key is bound to this withdrawal: the same body filed as an objection under it is another request.
    const other = await call('POST', '/api/v1/objections', '/api/v1/objections', { body, headers });
    expect(other.status).toBe(422);
    expect((other.json as { code: string }).code).toBe('E_IDEMPOTENCY');
  });
});

describe('public log API', () => {
  it('serves checkpoint, key, proofs and entries that check out against each other', async () => {
    const key = await call('GET', '/api/v1/log/key', '/api/v1/log/key', { token: null });
    const verifier = parseVerifierKey(key.text.trim());
    const note = await call('GET', '/api/v1/log/checkpoint', '/api/v1/log/checkpoint', { token: null });
    // A cached checkpoint would hide what was appended since from a monitor.
    expect(note.headers.get('cache-control')).toBe('no-cache');
    const cp = openCheckpoint(note.text, verifier, 'test.dissent/log');
    expect(cp.size).toBeGreaterThan(3);

    const entries = await call('GET', '/api/v1/log/entries', `/api/v1/log/entries?start=0&end=${cp.size}`, {
      token: null,
    });
    const leaves = (entries.json as { entries: string[] }).entries;
    expect(leaves).toHaveLength(cp.size);

    for (const index of [0, cp.size - 1]) {
      const p = await call(
        'GET',
        '/api/v1/log/proof/inclusion',
        `/api/v1/log/proof/inclusion?index=${index}&size=${cp.size}`,
        { token: null },
      );
      const proof = p.json as { proof: string[]; root: string };
      expect(
        verifyInclusion(hashLeaf(leaves[index] as string), index, cp.size, proof.proof.map(fromBase64), cp.root),
      ).toBe(true);
    }
    const rootAt2 = (
      await call('GET', '/api/v1/log/proof/inclusion', '/api/v1/log/proof/inclusion?index=0&size=2', { token: null })
    ).json as { root: string };
    const c = await call('GET', '/api/v1/log/proof/consistency', `/api/v1/log/proof/consistency?from=2&to=${cp.size}`, {
      token: null,
    });
    expect(
      verifyConsistency(
        2,
        cp.size,
        (c.json as { proof: string[] }).proof.map(fromBase64),
        fromBase64(rootAt2.root),
        cp.root,
      ),
    ).toBe(true);
  });

  it('refuses bad ranges with 400 problem+json', async () => {
    expect(
      (await call('GET', '/api/v1/log/proof/inclusion', '/api/v1/log/proof/inclusion?index=99999', { token: null }))
        .status,
    ).toBe(400);
    expect(
      (await call('GET', '/api/v1/log/proof/inclusion', '/api/v1/log/proof/inclusion?index=-1', { token: null }))
        .status,
    ).toBe(400);
    expect(
      (await call('GET', '/api/v1/log/proof/consistency', '/api/v1/log/proof/consistency?from=5&to=2', { token: null }))
        .status,
    ).toBe(400);
    // end is clamped to the log's size before the page size is checked.
    const clamped = await call('GET', '/api/v1/log/entries', '/api/v1/log/entries?start=0&end=5000', { token: null });
    expect(clamped.status).toBe(200);
    expect((clamped.json as { end: number; size: number }).end).toBe((clamped.json as { size: number }).size);
    expect(
      (await call('GET', '/api/v1/log/entries', '/api/v1/log/entries?start=3&end=2', { token: null })).status,
    ).toBe(400);
    expect((await call('GET', '/api/v1/log/entries', '/api/v1/log/entries?start=abc', { token: null })).status).toBe(
      400,
    );
    const noStart = await call('GET', '/api/v1/log/entries', '/api/v1/log/entries', { token: null });
    expect(noStart.status).toBe(400);
    expect((noStart.json as { detail: string }).detail).toBe('field start: is required');
  });

  it('pages log entries 100 at a time by default and 1000 at most, and refuses a start beyond the log', async () => {
    const big = await makeHome({ persons: 1001 });
    const s = await serve(big);
    try {
      const persons = [...new Set(big.accounts.map((a) => a.person))].slice(0, 1001);
      await s.ctx.registry.objectMany(persons.map((subject) => ({ subject, channel: 'api' as const })));
      const page = async (query: string) => (await api(s.url, `/api/v1/log/entries?${query}`, { token: null })).json;
      const first = (await page('start=0')) as { end: number; entries: string[] };
      expect([first.end, first.entries.length]).toEqual([100, 100]);
      const most = (await page('start=1&end=1001')) as { end: number; entries: string[] };
      expect([most.end, most.entries.length]).toEqual([1001, 1000]);
      expect(await page('start=0&end=1001')).toMatchObject({ status: 400, code: 'E_RANGE' });
      expect(await page('start=1001')).toMatchObject({ start: 1001, end: 1001, entries: [] });
      expect(await page('start=1002')).toMatchObject({ status: 400, detail: 'start is beyond the log (size 1001)' });
    } finally {
      await s.close();
      await big.cleanup();
    }
  });

  it('answers a method a path does not serve with 405 and Allow, and an unknown path with 404', async () => {
    const put = await fetch(`${base}/api/v1/objections`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    expect(put.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const post = await fetch(`${base}/api/v1/objections/o_1`, { method: 'DELETE' });
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/api/v1/nothing-here`)).status).toBe(404);
    const page = await fetch(`${base}/object`, { method: 'PUT', headers: { 'accept-language': 'en' } });
    expect(page.status).toBe(405);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // Says what is wrong, not "something went wrong, try again later", which would never help.
    const pageText = await page.text();
    expect(pageText).toContain('does not take this kind of request');
    expect(pageText).not.toMatch(/try again later/i);
    const health = await fetch(`${base}/healthz`, { method: 'PUT' });
    expect(health.status).toBe(405);
    expect(health.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // A form's POST address opened as a page goes back to its form.
    for (const [path, to] of [
      ['/object?lang=de', '/?lang=de'],
      ['/confirm', '/'],
      ['/withdraw/confirm', '/withdraw'],
    ]) {
      const opened = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(opened.status, path).toBe(303);
      expect(opened.headers.get('location')).toBe(to);
    }
  });

  it('limits public routes per address with a 429 that the document declares', async () => {
    const limited = await serve(t, { limits: { perIpPerMinute: 2 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await api(limited.url, '/api/v1/log/key', { token: null });
        expect(
          responseErrors('GET', '/api/v1/log/key', res.status, res.headers.get('content-type'), res.json ?? res.text),
        ).toEqual([]);
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  it('counts requests with a wrong or missing token against the address, so that tokens cannot be guessed at speed', async () => {
    const limited = await serve(t, { limits: { perIpPerMinute: 3 } });
    try {
      const statuses: number[] = [];
      for (const [method, path, token] of [
        ['POST', '/api/v1/objections', 'guess-0000000000000000'],
        ['POST', '/api/v1/withdrawals', null],
        ['GET', '/metrics', 'guess-1111111111111111'],
        ['POST', '/api/v1/objections', 'guess-2222222222222222'],
        ['GET', '/metrics', 'guess-3333333333333333'],
      ] as const) {
        const res = await api(limited.url, path, {
          method,
          token,
          body: method === 'POST' ? { subject: 'p:1' } : undefined,
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // The operator's own backend and scraper, with the right token, are not held back by the guesser.
      const own = await api(limited.url, '/api/v1/objections', { method: 'POST', body: { subject: 'p:39' } });
      expect([200, 201]).toContain(own.status);
      expect((await api(limited.url, '/metrics', { token: API_TOKEN })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("answers what Node's HTTP parser refuses with problem+json and the security headers", async () => {
    const { port } = new URL(base);
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1');
        let received = '';
        socket.on('data', (d: Buffer) => {
          received += d.toString();
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve(received));
        socket.write(request);
      });
    const huge = await raw(`GET /api/v1/log/key HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(40_000)}\r\n\r\n`);
    const garbage = await raw('GARBAGE\r\n\r\n');
    for (const [answer, status] of [
      [huge, 431],
      [garbage, 400],
    ] as const) {
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toBe(
        `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}`,
      );
      expect(head).toMatch(/^content-type: application\/problem\+json$/im);
      expect(head).toMatch(/^x-content-type-options: nosniff$/im);
      expect(JSON.parse(body)).toMatchObject({
        status,
        code: status === 431 ? 'E_HEADERS_TOO_LARGE' : 'E_BAD_REQUEST',
      });
    }
  });

  it('answers a percent-encoded API path like the API: problem+json, not a page', async () => {
    for (const [method, path, status] of [
      ['GET', '/%61pi/v1/log/entries?start=-1', 400],
      ['POST', '/%61pi/v1/objections', 401],
      ['GET', '/%6Detrics', 401],
    ] as const) {
      const res = await api(base, path, { method, token: null, body: method === 'POST' ? {} : undefined });
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
    }
  });

  it('finishes a request in flight at shutdown, and answers one pipelined after it with a 503 problem', async () => {
    const closing = await serve(t);
    const { port } = new URL(closing.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString();
    });
    const ended = new Promise((resolve) => socket.on('close', resolve));
    const body = JSON.stringify({ subject: 'p:33' });
    socket.write(
      `POST /api/v1/objections HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_TOKEN}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const closed = closing.close();
    await new Promise((r) => setTimeout(r, 100));
    socket.write(`${body.slice(5)}GET /api/v1/log/checkpoint HTTP/1.1\r\nHost: x\r\n\r\n`);
    await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
    socket.destroy();
    await closed;
    const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 201 /);
    expect(second).toMatch(/^HTTP\/1\.1 503 /);
    expect(second).toMatch(/content-type: application\/problem\+json/i);
    expect(second).toContain('"code":"E_SHUTTING_DOWN"');
    expect(second).toMatch(/x-content-type-options: nosniff/i);
  });

  /** Opens a connection and sends an objection's headers with `Expect: 100-continue`; resolves once the server has them. */
  async function startObjection(url: string, subject: string) {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let received = '';
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const continued = new Promise<void>((resolve) =>
      socket.on('data', (d: Buffer) => {
        received += d.toString();
        if (received.startsWith('HTTP/1.1 100 ')) resolve();
      }),
    );
    const body = JSON.stringify({ subject });
    socket.write(
      `POST /api/v1/objections HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_TOKEN}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await continued;
    return { socket, body, ended, received: () => received };
  }

  it('closes a connection whose request was in flight at shutdown once it is answered, instead of keeping it alive', async () => {
    const closing = await serve(t, { shutdownGraceMs: 600_000 });
    const req = await startObjection(closing.url, 'p:34');
    const closed = closing.close();
    req.socket.write(req.body);
    // Kept alive, the connection held the shutdown for the keep-alive timeout (72 s).
    await req.ended;
    await closed;
    expect(req.received()).toMatch(/HTTP\/1\.1 201 /);
  }, 20_000);

  it('cuts a client that is still sending its request once the shutdown grace period is over', async () => {
    const closing = await serve(t, { shutdownGraceMs: 50 });
    // The body never comes: a client on deadline night sending it a byte a second held the shutdown for ever.
    const req = await startObjection(closing.url, 'p:37');
    await closing.close();
    await req.ended;
    expect(req.received()).not.toMatch(/HTTP\/1\.1 [2-5]\d\d /);
    expect((await api(base, '/api/v1/objections', { body: { subject: 'p:37' } })).status).toBe(201);
  }, 20_000);

  it('logs and counts a request whose client hung up before the answer as 499 on its route', async () => {
    let hungUp: (line: AccessLogLine) => void = () => {};
    const logged = new Promise<AccessLogLine>((resolve) => {
      hungUp = resolve;
    });
    const s = await serve(t, { accessLog: (line) => line.status === 499 && hungUp(line) });
    try {
      const req = await startObjection(s.url, 'p:38');
      req.socket.destroy();
      expect(await logged).toMatchObject({ method: 'POST', route: '/api/v1/objections', status: 499 });
      expect((await api(s.url, '/metrics')).text).toMatch(
        /dissent_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/objections",status="499"\} 1\n/,
      );
    } finally {
      await s.close();
    }
  }, 20_000);

  it('serves its own OpenAPI document, and every operation in it was exercised above', async () => {
    const res = await call('GET', '/api/v1/openapi.json', '/api/v1/openapi.json', { token: null });
    expect((res.json as { openapi: string }).openapi).toBe('3.1.0');
    expect(operations().filter((op) => !covered.has(op))).toEqual([]);
  });
});
