// Checks a dissent receipt in the browser, with WebCrypto only, so that nobody has to trust the server that issued
// it: the signed checkpoint (C2SP signed note, Ed25519), the leaf, the subject commitment and the RFC 9162
// inclusion proof. It mirrors verifyReceipt in src/log/receipt.ts check for check.
(() => {
  const enc = new TextEncoder();
  const EVENT_KEYS = 'effective_at,id,programme,scope,subject_commitment,submitted_at,type,v';
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
  const CONTROL = /[\u0000-\u0009\u000b-\u001f]/u;
  const LONE_SURROGATE = /[\ud800-\udfff]/u;
  // A key name holds no "+" and no Unicode White_Space (as Go's unicode.IsSpace; not \s, which differs).
  const NAME_FORBIDDEN = /[\p{White_Space}+]/u;

  class CheckError extends Error {}

  function fromBase64(text) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new CheckError('not canonical base64');
    const bin = atob(text);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    if (toBase64(bytes) !== text) throw new CheckError('not canonical base64');
    return bytes;
  }

  function toBase64(bytes) {
    // In slices: spreading a large array (a long foreign signature line) into one call overflows the stack.
    let bin = '';
    for (let i = 0; i < bytes.length; i += 8192) bin += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return btoa(bin);
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  function equal(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  }

  const hashLeaf = (leaf) => sha256(concat(Uint8Array.of(0), enc.encode(leaf)));
  const hashNode = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

  function canonical(v) {
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new CheckError('not a safe integer');
      return String(v);
    }
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }

  function decodeEvent(leaf) {
    let e;
    try {
      e = JSON.parse(leaf);
    } catch {
      return undefined;
    }
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return undefined;
    if (Object.keys(e).sort().join(',') !== EVENT_KEYS) return undefined;
    if (e.v !== 1 || (e.type !== 'objection' && e.type !== 'withdrawal')) return undefined;
    if (e.scope !== 'person' && e.scope !== 'account') return undefined;
    for (const k of ['id', 'programme', 'subject_commitment', 'submitted_at', 'effective_at']) {
      if (typeof e[k] !== 'string') return undefined;
    }
    if (!ISO.test(e.submitted_at) || !ISO.test(e.effective_at)) return undefined;
    if (!/^[0-9a-f]{64}$/.test(e.subject_commitment)) return undefined;
    return canonical(e) === leaf ? e : undefined;
  }

  async function parseVerifierKey(vkey) {
    const parts = vkey.trim().split('+');
    if (parts.length < 3) throw new CheckError('malformed verifier key');
    const [name, hashHex] = parts;
    const raw = fromBase64(parts.slice(2).join('+'));
    if (!name || NAME_FORBIDDEN.test(name) || raw.length !== 33 || raw[0] !== 1)
      throw new CheckError('not an Ed25519 key');
    const pub = raw.slice(1);
    const keyHash = (await sha256(concat(enc.encode(`${name}\n`), Uint8Array.of(1), pub))).slice(0, 4);
    if (hex(keyHash) !== hashHex) throw new CheckError('verifier key hash does not match its key');
    const key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    return { name, keyHash, key };
  }

  async function openNote(note, verifier) {
    // The same limits as the server's and the CLI's check (src/log/note.ts), so that all three agree.
    if (note.length > 1000000) throw new CheckError('note is too large');
    if (CONTROL.test(note) || LONE_SURROGATE.test(note)) throw new CheckError('note has control characters');
    const split = note.lastIndexOf('\n\n');
    if (split < 0) throw new CheckError('note has no signature block');
    const text = note.slice(0, split + 1);
    const block = note.slice(split + 2);
    if (!block.endsWith('\n')) throw new CheckError('note signature block must end in a newline');
    const lines = block.slice(0, -1).split('\n');
    if (lines.length > 100) throw new CheckError('note has too many signatures');
    const sigs = lines.map((line) => {
      const m = /^\u2014 ([^ ]+) (\S+)$/u.exec(line);
      if (!m || NAME_FORBIDDEN.test(m[1])) throw new CheckError('malformed signature line');
      const raw = fromBase64(m[2]);
      if (raw.length < 5) throw new CheckError('signature is too short');
      return { name: m[1], keyHash: raw.slice(0, 4), signature: raw.slice(4) };
    });
    const mine = sigs.find((s) => s.name === verifier.name && equal(s.keyHash, verifier.keyHash));
    if (!mine) throw new CheckError(`note is not signed by key ${verifier.name}`);
    const ok =
      mine.signature.length === 64 &&
      (await crypto.subtle.verify({ name: 'Ed25519' }, verifier.key, mine.signature, enc.encode(text)));
    if (!ok) throw new CheckError('note signature is invalid');
    return text;
  }

  function parseCheckpoint(text) {
    const lines = text.split('\n');
    if (lines.length < 4 || lines[lines.length - 1] !== '')
      throw new CheckError('checkpoint body must have three lines');
    const [origin, sizeText, rootText] = lines;
    if (!origin) throw new CheckError('checkpoint has an empty origin');
    if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new CheckError('checkpoint size is not a decimal number');
    const size = Number(sizeText);
    if (!Number.isSafeInteger(size)) throw new CheckError('checkpoint size is too large');
    const root = fromBase64(rootText);
    if (root.length !== 32) throw new CheckError('checkpoint root is not a SHA-256 hash');
    return { origin, size, root };
  }

  // RFC 9162, section 2.1.3.2.
  async function verifyInclusion(leafHash, index, size, proof, root) {
    if (index < 0 || index >= size) return false;
    let fn = index;
    let sn = size - 1;
    let r = leafHash;
    for (const p of proof) {
      if (p.length !== 32 || sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await hashNode(p, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        r = await hashNode(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && equal(r, root);
  }

  /** Verifies a parsed receipt against a verifier key string; resolves to { ok, checks, size? } like the server. */
  async function verifyReceipt(r, vkey, expectedOrigin) {
    const checks = [];
    const fail = (name, detail) => ({ ok: false, checks: [...checks, { name, ok: false, detail }] });
    if (typeof r !== 'object' || r === null) return fail('format', 'the receipt is not a JSON object');
    if (r.v !== 1) return fail('format', 'unknown receipt version');
    for (const k of ['objection_id', 'subject', 'salt', 'programme', 'scope', 'leaf', 'checkpoint']) {
      if (typeof r[k] !== 'string') return fail('format', `field "${k}" is missing or not a string`);
    }
    if (!Number.isSafeInteger(r.leaf_index) || r.leaf_index < 0) return fail('format', 'bad leaf_index');
    if (!Array.isArray(r.inclusion_proof) || !r.inclusion_proof.every((p) => typeof p === 'string')) {
      return fail('format', 'bad inclusion_proof');
    }
    if (typeof r.late !== 'object' || r.late === null || !Object.values(r.late).every((x) => typeof x === 'boolean')) {
      return fail('format', 'bad late');
    }
    checks.push({ name: 'format', ok: true });
    const event = decodeEvent(r.leaf);
    if (!event) return fail('leaf', 'the leaf is not a canonical dissent log event');
    if (event.id !== r.objection_id || event.programme !== r.programme || event.scope !== r.scope) {
      return fail('leaf', 'the leaf does not match the receipt');
    }
    checks.push({ name: 'leaf', ok: true });
    const commitment = hex(await sha256(enc.encode(`dissent-subject-v1\n${r.salt}\n${r.subject}`)));
    if (commitment !== event.subject_commitment) return fail('subject', 'the subject and salt do not match the leaf');
    checks.push({ name: 'subject', ok: true });
    let cp;
    try {
      const verifier = await parseVerifierKey(vkey);
      cp = parseCheckpoint(await openNote(r.checkpoint, verifier));
      if (expectedOrigin !== undefined && cp.origin !== expectedOrigin) {
        throw new CheckError(`checkpoint origin is not ${expectedOrigin}`);
      }
    } catch (e) {
      return fail('checkpoint', e instanceof CheckError ? e.message : 'the checkpoint cannot be checked');
    }
    checks.push({ name: 'checkpoint', ok: true });
    let proof;
    try {
      proof = r.inclusion_proof.map(fromBase64);
    } catch {
      return fail('inclusion', 'a proof hash is not base64');
    }
    if (r.leaf_index >= cp.size) return fail('inclusion', 'the leaf is not covered by the checkpoint');
    if (!(await verifyInclusion(await hashLeaf(r.leaf), r.leaf_index, cp.size, proof, cp.root))) {
      return fail('inclusion', 'the inclusion proof does not lead to the checkpoint root');
    }
    checks.push({ name: 'inclusion', ok: true });
    return {
      ok: true,
      checks,
      size: cp.size,
      event: { type: event.type, programme: event.programme, scope: event.scope, submitted_at: event.submitted_at },
    };
  }

  globalThis.dissentVerifyReceipt = verifyReceipt;

  function render(result, texts, index) {
    const out = document.createDocumentFragment();
    const verdict = document.createElement('p');
    verdict.id = 'verdict';
    verdict.className = `verdict ${result.ok ? 'ok' : 'bad'}`;
    verdict.dataset.valid = String(result.ok);
    const strong = document.createElement('strong');
    strong.textContent = result.ok
      ? texts.valid.replace('{index}', String(index)).replace('{size}', String(result.size))
      : texts.invalid;
    verdict.append(strong);
    if (result.ok && result.event && texts.records?.[result.event.type]) {
      // What the signed leaf records, as the server's page says it: a withdrawal is never taken for an objection.
      const records = document.createElement('span');
      records.id = 'records';
      records.dataset.event = result.event.type;
      const what = result.event.programme === '*' ? texts.anyProgramme : `“${result.event.programme}”`;
      // An account-scope entry covers that one account: "all AI training" alone would read as the whole person.
      const programme = result.event.scope === 'account' ? `${what} (${texts.accountOnly})` : what;
      records.textContent = texts.records[result.event.type].replace('{programme}', programme);
      records.dataset.scope = result.event.scope;
      verdict.append(' ', records);
      // The signed submission time, as the server's page shows it: the receipt's "late" is not signed.
      const submitted = document.createElement('span');
      submitted.id = 'submitted';
      submitted.dataset.submitted = result.event.submitted_at;
      submitted.textContent = texts.submitted[result.event.type].replace(
        '{time}',
        result.event.submitted_at.replace('T', ' ').replace(/Z$/, ' UTC'),
      );
      verdict.append(' ', submitted);
    }
    const list = document.createElement('ul');
    list.className = 'checks';
    for (const c of result.checks) {
      const li = document.createElement('li');
      li.className = c.ok ? 'ok' : 'bad';
      const why = texts.checkFailures?.[c.name] ?? c.detail;
      li.textContent = `${texts.checkNames[c.name] ?? c.name}: ${c.ok ? texts.passed : texts.failed}${
        c.ok || !why ? '' : ` (${why})`
      }`;
      list.append(li);
    }
    const where = document.createElement('p');
    where.className = 'where';
    where.textContent = texts.where;
    out.append(verdict, list, where);
    return out;
  }

  function start() {
    const form = document.getElementById('verify-form');
    const textsEl = document.getElementById('verify-texts');
    if (!form || !textsEl || !globalThis.crypto?.subtle) return;
    const texts = JSON.parse(textsEl.textContent);
    const file = document.getElementById('file');
    const receipt = document.getElementById('receipt');
    const key = document.getElementById('key');
    const result = document.getElementById('result');
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      if (f) receipt.value = await f.text();
    });
    form.addEventListener('submit', async (ev) => {
      // The language switch of a page the server checked sends the form to the server again, in the other language.
      if (ev.submitter?.name === 'switch_lang') return;
      ev.preventDefault();
      clearFieldError(receipt);
      let parsed;
      if (receipt.value.trim() === '') {
        result.replaceChildren();
        fieldError(receipt, texts.errRequired);
        return;
      }
      try {
        parsed = JSON.parse(receipt.value);
      } catch {
        result.replaceChildren();
        fieldError(receipt, texts.errJson);
        return;
      }
      // With this server's own key, as on the server: the receipt must come from this log.
      // An emptied key field means this log's key, as the server's check without JavaScript takes it.
      const vkey = key.value.trim() || texts.key;
      const own = vkey === texts.key;
      const verdict = await verifyReceipt(parsed, vkey, own ? texts.origin : undefined);
      result.replaceChildren(render(verdict, texts, parsed?.leaf_index));
    });
  }

  // A field's error as the server marks it: above the field, tied to it by aria-describedby, the field marked invalid
  // and focused, so that a screen reader reads the error with the field.
  function fieldError(input, text) {
    const p = document.createElement('p');
    p.className = 'error';
    p.id = `${input.id}-error`;
    p.textContent = text;
    input.closest('.field')?.classList.add('has-error');
    input.before(p);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', p.id);
    input.focus();
  }

  // Removes a field's error, and the summary of a page the server sent back with it.
  function clearFieldError(input) {
    document.getElementById(`${input.id}-error`)?.remove();
    document.querySelector('.error-summary')?.remove();
    input.closest('.field')?.classList.remove('has-error');
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
