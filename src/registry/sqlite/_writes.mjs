// The registry's small writes beside the group commits: link tokens, idempotency keys and the purge of unconfirmed
// requests. Shared by the main thread and the SQLite writer thread (plain JavaScript, as _commit-apply.mjs is). In
// server mode they run on the writer thread: run on the main thread, each one waited there, with every request
// stopped, for the writer thread's commit to end (SQLite's busy wait) and then for its own fsync.

/** How many pending requests the purge looks at in one transaction; other writes get their turn between pages. */
export const PURGE_PAGE = 500;

/** The SQL of the statements `applyWrite` runs, by name. */
export const WRITE_SQL = {
  insertToken: 'INSERT INTO tokens (token_hash, objection_id, purpose, expires_at) VALUES (?, ?, ?, ?)',
  getToken: 'SELECT * FROM tokens WHERE token_hash = ?',
  countAttempt: 'UPDATE tokens SET attempts = attempts + 1 WHERE token_hash = ?',
  markUsed: 'UPDATE tokens SET used_at = ? WHERE token_hash = ?',
  releaseToken: 'UPDATE tokens SET used_at = NULL WHERE token_hash = ?',
  putIdempotency:
    'INSERT INTO idempotency (key, request_hash, objection_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
  // The pending requests after the cursor (submitted_at, id), in that order, with when their last confirmation link
  // expires and whether they have any link.
  pendingPage: `SELECT o.id, o.submitted_at,
      (SELECT max(t.expires_at) FROM tokens t WHERE t.objection_id = o.id AND t.purpose = 'confirm') AS confirm_until,
      EXISTS (SELECT 1 FROM tokens t WHERE t.objection_id = o.id) AS has_tokens
    FROM objections o INDEXED BY objections_pending
    WHERE o.state = 'pending' AND (o.submitted_at > ? OR (o.submitted_at = ? AND o.id > ?))
    ORDER BY o.submitted_at, o.id LIMIT ?`,
  dropTokens: 'DELETE FROM tokens WHERE objection_id = ?',
  dropPending: "DELETE FROM objections WHERE id = ? AND state = 'pending'",
};

/** Runs one write; call it inside an IMMEDIATE transaction. Returns what the store method returns. */
export function applyWrite(s, w) {
  switch (w.type) {
    case 'createToken':
      s.insertToken.run(w.token.token_hash, w.token.objection_id, w.token.purpose, w.token.expires_at);
      return undefined;
    case 'useToken': {
      const row = s.getToken.get(w.tokenHash);
      if (!row || row.purpose !== w.purpose) return { ok: false, reason: 'unknown' };
      s.countAttempt.run(w.tokenHash);
      const expired = Date.parse(row.expires_at) < Date.parse(w.now);
      if (row.used_at !== null) return { ok: false, reason: 'used', token: row, expired };
      if (expired) return { ok: false, reason: 'expired' };
      s.markUsed.run(w.now, w.tokenHash);
      return { ok: true, token: { ...row, used_at: w.now, attempts: row.attempts + 1 } };
    }
    case 'releaseToken':
      s.releaseToken.run(w.tokenHash);
      return undefined;
    case 'putIdempotency':
      s.putIdempotency.run(w.key, w.requestHash, w.objectionId, w.now);
      return undefined;
    case 'purgePage': {
      const rows = s.pendingPage.all(w.after.at, w.after.at, w.after.id, PURGE_PAGE);
      let purged = 0;
      for (const r of rows) {
        const expired =
          r.confirm_until !== null ? r.confirm_until < w.now : !r.has_tokens && r.submitted_at < w.linklessBefore;
        if (!expired) continue;
        s.dropTokens.run(r.id);
        purged += s.dropPending.run(r.id).changes;
      }
      const last = rows[rows.length - 1];
      return { purged, next: rows.length < PURGE_PAGE || !last ? null : { at: last.submitted_at, id: last.id } };
    }
    default:
      throw new Error(`unknown write ${w.type}`);
  }
}
