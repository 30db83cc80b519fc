package service

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/globus-edge/globus-edge/kvstore"
	"github.com/globus-edge/globus-edge/tokens"
)

// sessionRecord is one session's token record in KV as a tokens.Blob and tokens.Locker: the
// token document together with the time the session was issued (its login), sealed and bound
// to its KV key. The issue time gives a session an absolute lifetime (Config.SessionMaxAge):
// a refresh rewrites the tokens but never the issue time, so a stolen session cookie stops
// working at the latest SessionMaxAge after the login, whatever refreshes happen meanwhile.
// Each write's KV TTL is the idle lifetime (Config.SessionTTL) cut to what is left of the
// maximum, so the record also leaves KV by then (KV's 60 s minimum aside).
type sessionRecord struct {
	kv     kvstore.KV
	sid    string
	cfg    *Config
	now    func() time.Time
	mu     sync.Mutex
	issued time.Time // zero until read, or set at login
}

// recordEnvelope is the sealed plaintext. A record without IssuedAt (written before sessions
// had a maximum age) counts as issued when first read.
type recordEnvelope struct {
	IssuedAt int64           `json:"issued_at"`
	Tokens   json.RawMessage `json:"tokens"`
}

// sealed is the record's value in KV, sealed, kept for ttl after a write.
func (r *sessionRecord) sealed(ttl time.Duration) tokens.SealedBlob {
	b := kvstore.Session(r.kv, r.sid, ttl)
	return tokens.SealedBlob{Blob: b, Keys: r.cfg.Keys, AdditionalData: []byte(b.Key())}
}

// Load implements tokens.Blob. A session past its maximum age reads as none: the request is
// then one of a logged-out user. Nothing is written here (its TTL removes it).
func (r *sessionRecord) Load(ctx context.Context) ([]byte, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loadLocked(ctx)
}

func (r *sessionRecord) loadLocked(ctx context.Context) ([]byte, bool, error) {
	b, ok, err := r.sealed(0).Load(ctx)
	if err != nil || !ok {
		return nil, ok, err
	}
	var env recordEnvelope
	if json.Unmarshal(b, &env) != nil || env.IssuedAt == 0 || env.Tokens == nil {
		// Not an envelope: a record of an earlier version (its document is the whole value),
		// or corrupt data, which the document's decoder reports.
		if r.issued.IsZero() {
			r.issued = r.now()
		}
		return b, true, nil
	}
	issued := time.Unix(env.IssuedAt, 0)
	if r.now().Sub(issued) >= r.cfg.SessionMaxAge {
		return nil, false, nil
	}
	r.issued = issued
	return env.Tokens, true, nil
}

// Save implements tokens.Blob. The issue time is the one read (or set at login); a write
// without either first reads the record's, and a record that is gone or past its maximum age
// starts a new lifetime only when the request created the session (see newSessionStore).
func (r *sessionRecord) Save(ctx context.Context, doc []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.issued.IsZero() {
		if _, _, err := r.loadLocked(ctx); err != nil {
			return err
		}
		if r.issued.IsZero() {
			r.issued = r.now()
		}
	}
	ttl := min(r.cfg.SessionTTL, r.issued.Add(r.cfg.SessionMaxAge).Sub(r.now()))
	b, err := json.Marshal(recordEnvelope{IssuedAt: r.issued.Unix(), Tokens: doc})
	if err != nil {
		return err
	}
	return r.sealed(max(ttl, kvstore.MinTTL)).Save(ctx, b)
}

// Delete implements tokens.Blob.
func (r *sessionRecord) Delete(ctx context.Context) error { return r.sealed(0).Delete(ctx) }

// Lock implements tokens.Locker with the session's refresh lease.
func (r *sessionRecord) Lock(ctx context.Context) (func(), error) {
	return kvstore.Session(r.kv, r.sid, 0).Lock(ctx)
}

var (
	_ tokens.Blob   = (*sessionRecord)(nil)
	_ tokens.Locker = (*sessionRecord)(nil)
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
