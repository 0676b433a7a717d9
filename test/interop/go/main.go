// Command interop is an independent reference for dissent's transparency log, built only from Go's
// golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog (Debian: golang-golang-x-mod-dev). The TypeScript
// tests feed it our notes and proofs, and check ours against the keys, notes and trees it makes.
//
// Build (GOPATH mode, offline):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off go build -o interop main.go
//
// Protocol: `interop <command>` reads one JSON request on stdin and writes one JSON response on stdout.
// Hashes and binary leaves are standard base64. Exit code 0 whenever the request was understood: a failed check
// is reported as "ok": false with an "error" string, never as an exit code. Exit code 2 and a message on stderr
// for an unknown command or a malformed request.
//
//	verify-note    {"vkey": string, "note": string}
//	            -> {"ok": bool, "error"?: string, "text"?: string,
//	                "checkpoint"?: {"origin": string, "size": number, "root": b64}, "checkpoint_error"?: string}
//	               note.NewVerifier(vkey) + note.Open. "checkpoint" is set when the verified text is a C2SP
//	               tlog-checkpoint body (origin, decimal size, base64 root; extension lines allowed).
//
//	verify-proofs  {"inclusion"?: [{"leaf"?: b64, "leaf_hash"?: b64, "index": n, "size": n, "root": b64,
//	                               "proof": [b64]}],
//	                "consistency"?: [{"from": n, "to": n, "from_root": b64, "to_root": b64, "proof": [b64]}]}
//	            -> {"inclusion": [{"ok": bool, "error"?: string}], "consistency": [{"ok": bool, "error"?: string}]}
//	               Results are in request order. Inclusion uses tlog.CheckRecord with the leaf hash, or with
//	               tlog.RecordHash(leaf) (= SHA-256(0x00 || leaf), the RFC 6962 leaf hash) when "leaf" is given.
//	               Consistency uses tlog.CheckTree.
//
//	sign           {"text": string, "skey"?: string, "name"?: string}
//	            -> {"skey": string, "vkey": string, "note": string}
//	               Signs text with note.NewSigner(skey), or with a fresh note.GenerateKey(name) when skey is absent.
//	               With skey, vkey is derived from the signer's public key via note.NewEd25519VerifierKey.
//
//	generate       {"leaves": [b64], "origin"?: string, "name"?: string, "skey"?: string,
//	                "inclusion"?: [{"index": n, "size": n}], "consistency"?: [{"from": n, "to": n}]}
//	            -> {"size": n, "root": b64, "roots": [b64 of sizes 1..n],
//	                "stored": [[{"level": n, "index": n, "hash": b64}] per appended leaf],
//	                "inclusion": [{"index": n, "size": n, "proof": [b64]}],
//	                "consistency": [{"from": n, "to": n, "proof": [b64]}],
//	                "skey"?: string, "vkey"?: string, "note"?: string}
//	               Builds the tree with tlog.StoredHashes, roots with tlog.TreeHash, proofs with tlog.ProveRecord
//	               and tlog.ProveTree. "stored" lists the hashes each append stored (leaf first, then every
//	               completed subtree). When "origin" is set, "note" is the checkpoint "origin\nsize\nroot\n" of the
//	               whole tree signed with skey or a fresh key named "name".
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type checkpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"`
}

type verifyNoteReq struct {
	Vkey string `json:"vkey"`
	Note string `json:"note"`
}

type verifyNoteResp struct {
	OK              bool        `json:"ok"`
	Error           string      `json:"error,omitempty"`
	Text            *string     `json:"text,omitempty"`
	Checkpoint      *checkpoint `json:"checkpoint,omitempty"`
	CheckpointError string      `json:"checkpoint_error,omitempty"`
}

type inclusionReq struct {
	Leaf     *string  `json:"leaf"`
	LeafHash *string  `json:"leaf_hash"`
	Index    int64    `json:"index"`
	Size     int64    `json:"size"`
	Root     string   `json:"root"`
	Proof    []string `json:"proof"`
}

type consistencyReq struct {
	From     int64    `json:"from"`
	To       int64    `json:"to"`
	FromRoot string   `json:"from_root"`
	ToRoot   string   `json:"to_root"`
	Proof    []string `json:"proof"`
}

type verifyProofsReq struct {
	Inclusion   []inclusionReq   `json:"inclusion"`
	Consistency []consistencyReq `json:"consistency"`
}

type result struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

type verifyProofsResp struct {
	Inclusion   []result `json:"inclusion"`
	Consistency []result `json:"consistency"`
}

type signReq struct {
	Text string `json:"text"`
	Skey string `json:"skey"`
	Name string `json:"name"`
}

type signResp struct {
	Skey string `json:"skey"`
	Vkey string `json:"vkey"`
	Note string `json:"note"`
}

type generateReq struct {
	Leaves    []string `json:"leaves"`
	Origin    string   `json:"origin"`
	Name      string   `json:"name"`
	Skey      string   `json:"skey"`
	Inclusion []struct {
		Index int64 `json:"index"`
		Size  int64 `json:"size"`
	} `json:"inclusion"`
	Consistency []struct {
		From int64 `json:"from"`
		To   int64 `json:"to"`
	} `json:"consistency"`
}

type storedNode struct {
	Level int    `json:"level"`
	Index int64  `json:"index"`
	Hash  string `json:"hash"`
}

type inclusionOut struct {
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Proof []string `json:"proof"`
}

type consistencyOut struct {
	From  int64    `json:"from"`
	To    int64    `json:"to"`
	Proof []string `json:"proof"`
}

type generateResp struct {
	Size        int64            `json:"size"`
	Root        string           `json:"root"`
	Roots       []string         `json:"roots"`
	Stored      [][]storedNode   `json:"stored"`
	Inclusion   []inclusionOut   `json:"inclusion"`
	Consistency []consistencyOut `json:"consistency"`
	Skey        string           `json:"skey,omitempty"`
	Vkey        string           `json:"vkey,omitempty"`
	Note        string           `json:"note,omitempty"`
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: interop verify-note|verify-proofs|sign|generate < request.json")
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: " + err.Error())
	}
	var out interface{}
	switch os.Args[1] {
	case "verify-note":
		var req verifyNoteReq
		decode(in, &req)
		out = verifyNote(req)
	case "verify-proofs":
		var req verifyProofsReq
		decode(in, &req)
		out = verifyProofs(req)
	case "sign":
		var req signReq
		decode(in, &req)
		out = sign(req)
	case "generate":
		var req generateReq
		decode(in, &req)
		out = generate(req)
	default:
		fail("unknown command " + os.Args[1])
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fail("writing stdout: " + err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "interop: "+msg)
	os.Exit(2)
}

func decode(in []byte, v interface{}) {
	if err := json.Unmarshal(in, v); err != nil {
		fail("malformed request: " + err.Error())
	}
}

func verifyNote(req verifyNoteReq) verifyNoteResp {
	v, err := note.NewVerifier(req.Vkey)
	if err != nil {
		return verifyNoteResp{Error: "verifier key: " + err.Error()}
	}
	n, err := note.Open([]byte(req.Note), note.VerifierList(v))
	if err != nil {
		return verifyNoteResp{Error: err.Error()}
	}
	resp := verifyNoteResp{OK: true, Text: &n.Text}
	if cp, err := parseCheckpoint(n.Text); err != nil {
		resp.CheckpointError = err.Error()
	} else {
		resp.Checkpoint = &cp
	}
	return resp
}

var decimal = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)

// parseCheckpoint follows C2SP tlog-checkpoint; tlog.ParseTree only knows the older fixed-origin go.sum format.
func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return checkpoint{}, errors.New("checkpoint has fewer than three lines")
	}
	if lines[0] == "" {
		return checkpoint{}, errors.New("checkpoint origin is empty")
	}
	if !decimal.MatchString(lines[1]) {
		return checkpoint{}, errors.New("checkpoint size is not decimal")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return checkpoint{}, err
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, err
	}
	return checkpoint{Origin: lines[0], Size: size, Root: b64(root)}, nil
}

func verifyProofs(req verifyProofsReq) verifyProofsResp {
	resp := verifyProofsResp{Inclusion: []result{}, Consistency: []result{}}
	for _, r := range req.Inclusion {
		resp.Inclusion = append(resp.Inclusion, toResult(checkInclusion(r)))
	}
	for _, r := range req.Consistency {
		resp.Consistency = append(resp.Consistency, toResult(checkConsistency(r)))
	}
	return resp
}

func toResult(err error) result {
	if err != nil {
		return result{Error: err.Error()}
	}
	return result{OK: true}
}

func checkInclusion(r inclusionReq) error {
	var leaf tlog.Hash
	switch {
	case r.Leaf != nil:
		data, err := base64.StdEncoding.DecodeString(*r.Leaf)
		if err != nil {
			return fmt.Errorf("leaf: %v", err)
		}
		leaf = tlog.RecordHash(data)
	case r.LeafHash != nil:
		h, err := tlog.ParseHash(*r.LeafHash)
		if err != nil {
			return fmt.Errorf("leaf_hash: %v", err)
		}
		leaf = h
	default:
		return errors.New("neither leaf nor leaf_hash given")
	}
	root, err := tlog.ParseHash(r.Root)
	if err != nil {
		return fmt.Errorf("root: %v", err)
	}
	proof, err := parseHashes(r.Proof)
	if err != nil {
		return err
	}
	return tlog.CheckRecord(tlog.RecordProof(proof), r.Size, root, r.Index, leaf)
}

func checkConsistency(r consistencyReq) error {
	fromRoot, err := tlog.ParseHash(r.FromRoot)
	if err != nil {
		return fmt.Errorf("from_root: %v", err)
	}
	toRoot, err := tlog.ParseHash(r.ToRoot)
	if err != nil {
		return fmt.Errorf("to_root: %v", err)
	}
	proof, err := parseHashes(r.Proof)
	if err != nil {
		return err
	}
	return tlog.CheckTree(tlog.TreeProof(proof), r.To, toRoot, r.From, fromRoot)
}

func parseHashes(in []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, 0, len(in))
	for i, s := range in {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return nil, fmt.Errorf("proof[%d]: %v", i, err)
		}
		out = append(out, h)
	}
	return out, nil
}

func sign(req signReq) signResp {
	skey, vkey := keys(req.Skey, req.Name)
	return signResp{Skey: skey, Vkey: vkey, Note: signText(skey, req.Text)}
}

// keys returns skey and its verifier key, generating a fresh key pair when skey is empty.
func keys(skey, name string) (string, string) {
	if skey == "" {
		s, v, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			fail("generating key: " + err.Error())
		}
		return s, v
	}
	if _, err := note.NewSigner(skey); err != nil {
		fail("signing key: " + err.Error())
	}
	// The key's last field is base64(0x01 || seed); rebuild the verifier key from it the way Go does.
	parts := strings.SplitN(skey, "+", 5) // the base64 key may itself contain "+"
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 33 {
		fail("signing key is not an Ed25519 seed")
	}
	vkey, err := note.NewEd25519VerifierKey(parts[2], ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey))
	if err != nil {
		fail("verifier key: " + err.Error())
	}
	return skey, vkey
}

func signText(skey, text string) string {
	signer, err := note.NewSigner(skey)
	if err != nil {
		fail("signing key: " + err.Error())
	}
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		fail("signing: " + err.Error())
	}
	return string(msg)
}

func generate(req generateReq) generateResp {
	var storage []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(storage)) {
				return nil, fmt.Errorf("stored hash %d not present", x)
			}
			out[i] = storage[x]
		}
		return out, nil
	})
	resp := generateResp{Roots: []string{}, Stored: [][]storedNode{}, Inclusion: []inclusionOut{},
		Consistency: []consistencyOut{}}
	for i, l := range req.Leaves {
		data, err := base64.StdEncoding.DecodeString(l)
		if err != nil {
			fail(fmt.Sprintf("leaves[%d]: %v", i, err))
		}
		hashes, err := tlog.StoredHashes(int64(i), data, reader)
		if err != nil {
			fail(err.Error())
		}
		nodes := make([]storedNode, 0, len(hashes))
		for j, h := range hashes {
			level, n := tlog.SplitStoredHashIndex(int64(len(storage) + j))
			nodes = append(nodes, storedNode{Level: level, Index: n, Hash: b64(h)})
		}
		storage = append(storage, hashes...)
		resp.Stored = append(resp.Stored, nodes)
		root, err := tlog.TreeHash(int64(i+1), reader)
		if err != nil {
			fail(err.Error())
		}
		resp.Roots = append(resp.Roots, b64(root))
	}
	n := int64(len(req.Leaves))
	resp.Size = n
	if n > 0 {
		resp.Root = resp.Roots[n-1]
	}
	for _, q := range req.Inclusion {
		p, err := tlog.ProveRecord(q.Size, q.Index, reader)
		if err != nil {
			fail(fmt.Sprintf("ProveRecord(%d, %d): %v", q.Size, q.Index, err))
		}
		resp.Inclusion = append(resp.Inclusion, inclusionOut{Index: q.Index, Size: q.Size, Proof: b64s(p)})
	}
	for _, q := range req.Consistency {
		p, err := tlog.ProveTree(q.To, q.From, reader)
		if err != nil {
			fail(fmt.Sprintf("ProveTree(%d, %d): %v", q.To, q.From, err))
		}
		resp.Consistency = append(resp.Consistency, consistencyOut{From: q.From, To: q.To, Proof: b64s(p)})
	}
	if req.Origin != "" {
		resp.Skey, resp.Vkey = keys(req.Skey, req.Name)
		resp.Note = signText(resp.Skey, fmt.Sprintf("%s\n%d\n%s\n", req.Origin, n, resp.Root))
	}
	return resp
}

func b64(h tlog.Hash) string {
	return base64.StdEncoding.EncodeToString(h[:])
}

func b64s(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = b64(h)
	}
	return out
}
