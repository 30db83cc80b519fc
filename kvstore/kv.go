// Package kvstore keeps the worker's sessions in a key-value store with Cloudflare KV's rules
// (no compare-and-set, one write per key per second, TTLs of at least a minute, eventual
// consistency between locations): one token record per session, sealed, and a refresh lease
// per session — or, with a Coordinator per session (a Durable Object), the record ordered,
// read and locked through it exactly. The worker supplies a Cloudflare KV namespace as a KV
// and its Durable Object namespace as Coordinators; tests use Cloud (KV as Cloudflare
// documents it, with locations) or Memory, and MemoryCoordinators.
package kvstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/globus-edge/globus-edge/tokens"
)

// KV is a key-value store: a Cloudflare KV namespace in the worker, a Cloud location or Memory
// in tests.
type KV interface {
	// Get returns the value of key, or ok=false when there is none (or it expired).
	Get(ctx context.Context, key string) (value string, ok bool, err error)
	// Put stores value under key. ttl 0 means no expiry; otherwise it must be at least MinTTL.
	// A second write to a key within WriteInterval may be refused (RateLimited).
	Put(ctx context.Context, key, value string, ttl time.Duration) error
	// Delete removes key; deleting a missing key is not an error. It counts as a write.
	Delete(ctx context.Context, key string) error
}

// MinTTL is the shortest expiry Cloudflare KV accepts.
const MinTTL = 60 * time.Second

// Key prefixes. The rest of a key is base64url(SHA-256(session id)), so a KV listing reveals
// no session id; a successor key ends in a hash of a sealed value.
const (
	sessionPrefix   = "session/"
	leasePrefix     = "lease/"
	successorPrefix = "next/"
)

// SessionKey is the KV key of the token record of the session with id sid.
func SessionKey(sid string) string { return sessionPrefix + hashID(sid) }

// LeaseKey is the KV key of the refresh lease of the session with id sid.
func LeaseKey(sid string) string { return leasePrefix + hashID(sid) }

// successorKey is the key of the value that replaced the stored value v (SessionBlob.Save).
func successorKey(v string) string { return successorPrefix + Fingerprint(v) }

func hashID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// storageError marks a failure of the store itself (not of the data in it) the way every
// host's storage failures are marked, so the core classifies it as app.KindStorage.
func storageError(op string, err error) error {
	return &tokens.StorageError{Op: "kv: " + op, Err: err}
}
