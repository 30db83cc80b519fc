package service

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
)

// sessionRecord is one session's token record in KV as a tokens.Blob, tokens.Locker and
// tokens.SuccessorBlob: the token document together with the time the session was issued (its
// login), sealed and bound to its KV key, in a kvstore.SessionBlob (its lease, successor keys
// and KV's write rule). The issue time gives a session an absolute lifetime
// (Config.SessionMaxAge): a refresh rewrites the tokens but never the issue time, so a stolen
// session cookie stops working at the latest SessionMaxAge after the login, whatever
// refreshes happen meanwhile. Each write's KV TTL is the idle lifetime (Config.SessionTTL) cut
// to what is left of the maximum, so the record also leaves KV by then (KV's 60 s minimum
// aside). Made per request, like the SessionBlob it holds.
type sessionRecord struct {
	blob kvstore.SessionBlob
	keys *tokens.Keyring
	cfg  *Config
	now  func() time.Time

	mu     sync.Mutex
	issued time.Time // zero until read, or set at login
}

// record returns the record of session sid for this request; issued is the session's issue
// time when the request creates it, zero otherwise (it is read with the record). In Durable
// Object mode the session's coordinator orders its writes and holds its lock; in KV-only mode
// successor keys let a location whose read is stale find a rotated refresh token.
func (x *reply) record(sid string, issued time.Time) *sessionRecord {
	b := kvstore.Session(x.h.kv, sid, x.h.cfg.SessionTTL)
	if c := x.h.Coordinators; c != nil {
		b = b.WithCoordinator(c.For(b.Key()))
	} else {
		b = b.WithSuccessors()
	}
	return &sessionRecord{blob: b, keys: x.h.cfg.Keys, cfg: &x.h.cfg, now: x.h.now, issued: issued}
}

// recordEnvelope is the sealed plaintext. A record without IssuedAt (written before sessions
// had a maximum age) counts as issued when first read.
type recordEnvelope struct {
	IssuedAt int64           `json:"issued_at"`
	Tokens   json.RawMessage `json:"tokens"`
}

// sealed is the record's value in KV, sealed, kept for ttl after a write.
func (r *sessionRecord) sealed(ttl time.Duration) tokens.SealedBlob {
	return tokens.SealedBlob{Blob: r.blob.WithTTL(ttl), Keys: r.keys, AdditionalData: []byte(r.blob.Key())}
}

// Load implements tokens.Blob. A session past its maximum age reads as none: the request is
// then one of a logged-out user. Nothing is written here (its TTL removes it).
func (r *sessionRecord) Load(ctx context.Context) ([]byte, bool, error) {
	return r.read(ctx, r.sealed(0).Load)
}

// LoadSuccessor implements tokens.SuccessorBlob: the record that replaced the one last read,
// unwrapped as Load does.
func (r *sessionRecord) LoadSuccessor(ctx context.Context) ([]byte, bool, error) {
	return r.read(ctx, r.sealed(0).LoadSuccessor)
}

// read loads a sealed value with load and unwraps it (open).
func (r *sessionRecord) read(ctx context.Context, load func(context.Context) ([]byte, bool, error)) ([]byte, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok, err := load(ctx)
	if err != nil || !ok {
		return nil, ok, err
	}
	return r.open(b)
}

// open unwraps a plaintext: the token document, or none when the session is past its maximum
// age. r.mu is held.
func (r *sessionRecord) open(pt []byte) ([]byte, bool, error) {
	var env recordEnvelope
	if json.Unmarshal(pt, &env) != nil || env.IssuedAt == 0 || env.Tokens == nil {
		// Not an envelope: a record of an earlier version (its document is the whole value),
		// or corrupt data, which the document's decoder reports.
		if r.issued.IsZero() {
			r.issued = r.now()
		}
		return pt, true, nil
	}
	issued := time.Unix(env.IssuedAt, 0)
	if r.now().Sub(issued) >= r.cfg.SessionMaxAge {
		return nil, false, nil
	}
	r.issued = issued
	return env.Tokens, true, nil
}

// envelope wraps doc with the issue time and returns it with the TTL of the write: the idle
// lifetime, cut to what is left of the maximum age. A write without a read or a login first
// reads the record's issue time; a record that is gone starts its lifetime now. r.mu is held.
func (r *sessionRecord) envelope(ctx context.Context, doc []byte) ([]byte, time.Duration, error) {
	if r.issued.IsZero() {
		b, ok, err := r.sealed(0).Load(ctx)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			r.open(b)
		}
		if r.issued.IsZero() {
			r.issued = r.now()
		}
	}
	ttl := min(r.cfg.SessionTTL, r.issued.Add(r.cfg.SessionMaxAge).Sub(r.now()))
	b, err := json.Marshal(recordEnvelope{IssuedAt: r.issued.Unix(), Tokens: doc})
	return b, max(ttl, kvstore.MinTTL), err
}

// Save implements tokens.Blob.
func (r *sessionRecord) Save(ctx context.Context, doc []byte) error {
	return r.write(ctx, doc, tokens.SealedBlob.Save)
}

// SaveSuccessor implements tokens.SuccessorBlob: Save, leaving the new value under the
// successor key of the one it replaces (kvstore.SessionBlob).
func (r *sessionRecord) SaveSuccessor(ctx context.Context, doc []byte) error {
	return r.write(ctx, doc, tokens.SealedBlob.SaveSuccessor)
}

// write wraps doc (envelope) and stores it with save, kept for the TTL envelope says.
func (r *sessionRecord) write(ctx context.Context, doc []byte, save func(tokens.SealedBlob, context.Context, []byte) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ttl, err := r.envelope(ctx, doc)
	if err != nil {
		return err
	}
	return save(r.sealed(ttl), ctx, b)
}

// Delete implements tokens.Blob.
func (r *sessionRecord) Delete(ctx context.Context) error { return r.sealed(0).Delete(ctx) }

// Lock implements tokens.Locker with the session's refresh lease (or its coordinator's lock).
func (r *sessionRecord) Lock(ctx context.Context) (func(), error) { return r.blob.Lock(ctx) }

var (
	_ tokens.Blob          = (*sessionRecord)(nil)
	_ tokens.Locker        = (*sessionRecord)(nil)
	_ tokens.SuccessorBlob = (*sessionRecord)(nil)
)

// OpenSessionRecord reads a session's KV value as the service stores it (sealed with keys,
// bound to its KV key kvKey): the token document and when the session was issued (zero for a
// record of an earlier version). For tests and tools that inspect KV.
func OpenSessionRecord(keys *tokens.Keyring, kvKey, value string) (*tokens.Document, time.Time, error) {
	pt, err := keys.Open([]byte(value), []byte(kvKey))
	if err != nil {
		return nil, time.Time{}, err
	}
	var env recordEnvelope
	var issued time.Time
	if json.Unmarshal(pt, &env) == nil && env.IssuedAt != 0 && env.Tokens != nil {
		pt, issued = env.Tokens, time.Unix(env.IssuedAt, 0)
	}
	d, err := tokens.DecodeDocument(pt)
	return d, issued, err
}
